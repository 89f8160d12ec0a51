import { randomBytes, timingSafeEqual } from 'node:crypto';
import { CHECKER_SOURCE, RUNNER_SOURCE } from './code-harness';
import { DEFAULT_LIMITS, DEFAULT_SETTINGS, runInSandbox, type SandboxLimits, type SandboxResult, type SandboxSettings, STARTED } from './code-sandbox';

/** A humaneval row with the model's completion: prompt + completion define entry_point; test defines check(candidate). */
export interface CodeTest {
  prompt: string;
  completion: string;
  test: string;
  entryPoint: string;
}

export interface CodeVerdict {
  /** True only when the checker wrote this run's nonce after check() returned. */
  passed: boolean;
  result: SandboxResult;
}

/**
 * Runs one completion against its test in the sandbox (code-harness.ts). The exit status is never the verdict: a
 * solution can make its process exit 0; it cannot make the checker, a process it cannot read, write the nonce.
 * Throws SandboxUnavailableError when the sandbox did not start, so a broken worker is never scored as wrong code.
 */
export async function runCodeTest(task: CodeTest, limits: SandboxLimits = DEFAULT_LIMITS, settings: SandboxSettings = DEFAULT_SETTINGS): Promise<CodeVerdict> {
  const nonce = randomBytes(32).toString('hex');
  const files = new Map([
    ['checker.py', CHECKER_SOURCE],
    ['runner.py', RUNNER_SOURCE],
    ['prompt.py', task.prompt],
    ['solution.py', `${task.prompt}${task.completion}\n`],
  ]);
  // The entry point is an argument (not secret); the nonce and the test travel on fd 3, which only the checker reads.
  const run = { files, args: ['/sandbox/checker.py', task.entryPoint], secret: `${nonce}\n${task.test}` };
  const { status, ...result } = await runInSandbox(run, limits, settings);
  return { passed: !result.timedOut && result.exitCode === 0 && sameText(status, STARTED + nonce), result };
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
