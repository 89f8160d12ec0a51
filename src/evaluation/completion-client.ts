import type { LoadTarget } from '../benchmarking/load-types';
import type { ChatMessage } from '../domain/evaluation/mt-bench-judging';

const MAX_ANSWER_CHARS = 65_536;

/** One non-streamed chat completion at temperature 0: what every built-in task asks the endpoint. */
export function complete(target: LoadTarget, prompt: string, maxTokens: number, signal: AbortSignal): Promise<string> {
  return chat(target, [{ role: 'user', content: prompt }], maxTokens, signal);
}

/** The same over a whole conversation (multi-turn JUDGE tasks, the judge's own system prompt). */
export async function chat(target: LoadTarget, messages: readonly ChatMessage[], maxTokens: number, signal: AbortSignal): Promise<string> {
  const response = await fetch(`${target.baseUrl.replace(/\/+$/, '')}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {}) },
    body: JSON.stringify({ model: target.model, messages, max_tokens: maxTokens, temperature: 0, stream: false }),
    signal,
  });
  const body = await response.text();
  if (!response.ok) throw new Error(`HTTP ${response.status}: ${body.slice(0, 300)}`);
  const parsed = JSON.parse(body) as { choices?: { message?: { content?: string | null }; text?: string }[] };
  const choice = parsed.choices?.[0];
  return (choice?.message?.content ?? choice?.text ?? '').slice(0, MAX_ANSWER_CHARS);
}
