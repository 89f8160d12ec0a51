import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { closedLoop } from './load-sweep';
import { type LoadThreadCommand, type LoadThreadInput, type LoadThreadMessage, PROGRESS_EVERY_MS } from './load-threads';
import { openLoop } from './open-loop';
import { OpenAiStreamClient } from './openai-stream-client';

/**
 * A load thread: reports ready, waits for the level's common start, runs its share of a closed- or open-loop level
 * and posts progress, then its samples (see load-threads.ts).
 */
function main(port: NonNullable<typeof parentPort>, input: LoadThreadInput): void {
  const post = (message: LoadThreadMessage) => port.postMessage(message);
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  let begin: (at: number) => void = () => undefined;
  const started = new Promise<number>((resolve) => { begin = resolve; });
  port.on('message', (message: LoadThreadCommand) => {
    if (message.type === 'start') begin(message.at);
    else {
      controller.abort(new Error('cancelled'));
      // Cancelled before the start: the loop runs at once, sees the abort and reports no samples.
      begin(performance.timeOrigin + performance.now());
    }
  });
  const client = new OpenAiStreamClient(input.target);
  let last = 0;
  const report = (done: number) => {
    const now = Date.now();
    if (now - last < PROGRESS_EVERY_MS) return;
    last = now;
    post({ type: 'progress', done });
  };
  const { work, scenario } = input;
  started
    .then((at) => (work.loop === 'open' ? openLoop(client, scenario, work.plan, at, controller.signal, report) : closedLoop(client, scenario, work.plan, controller.signal, report)))
    .then((result) => post({ type: 'done', ...result }), (error: unknown) => post({ type: 'error', message: error instanceof Error ? error.message : String(error) }))
    .finally(() => client.close());
  post({ type: 'ready' });
}

if (!isMainThread && parentPort) main(parentPort, workerData as LoadThreadInput);
