import vm from 'node:vm';

/**
 * REGEX_MATCH patterns come from datasets, which may be anyone's (hf://datasets/…): a catastrophic pattern such as
 * `(a+)+$` against a long completion would hold the worker's event loop for ever, every task queue of the process
 * with it. The test runs in a context with a timeout, which V8 interrupts inside the regex engine.
 */
const TIMEOUT_MS = 1000;
const context = vm.createContext(Object.create(null) as object);
const script = new vm.Script('new RegExp(pattern, "i").test(text)');

export class RegexTimeoutError extends Error {}

/** Whether `pattern` (case-insensitive) matches `text`; RegexTimeoutError when it takes over a second. */
export function boundedRegexTest(pattern: string, text: string): boolean {
  // Synchronous: no other call can see these two globals between setting and reading them.
  Object.assign(context, { pattern, text });
  try {
    return script.runInContext(context, { timeout: TIMEOUT_MS }) === true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw new RegexTimeoutError(`the pattern took over ${TIMEOUT_MS} ms`);
    throw error;
  } finally {
    Object.assign(context, { pattern: '', text: '' });
  }
}
