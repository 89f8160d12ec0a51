import type { PromptSpec } from './load-types';

/** A scenario's prompts: a fixed set cycled in order, or synthetic prompts of a given input length. */
export interface PromptPlan {
  prompts?: string[] | null;
  inputTokens?: number | null;
  outputTokens: number;
}

// Distinct common words: most tokenizers give about one token each, so word count approximates input length.
const WORDS = ['alpha', 'river', 'stone', 'green', 'light', 'north', 'paper', 'cloud', 'metal', 'quiet', 'table', 'sound'];

export function syntheticPrompt(tokens: number, seed: number): string {
  const words: string[] = [];
  for (let i = 0; i < tokens; i += 1) words.push(WORDS[(seed * 7 + i * 5) % WORDS.length]);
  return words.join(' ');
}

export function promptSource(plan: PromptPlan): (index: number) => PromptSpec {
  const fixed = plan.prompts?.length ? plan.prompts : null;
  const length = plan.inputTokens ?? 32;
  return (index) => ({
    prompt: fixed ? fixed[index % fixed.length] : syntheticPrompt(length, index),
    maxTokens: plan.outputTokens,
  });
}
