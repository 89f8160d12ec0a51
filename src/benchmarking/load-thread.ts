import { setMaxListeners } from 'node:events';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { closedLoop } from './load-sweep';
import { type LoadThreadInput, type LoadThreadMessage, PROGRESS_EVERY_MS } from './load-threads';
import { OpenAiStreamClient } from './openai-stream-client';

/** A load thread: runs its share of a closed-loop level and posts progress, then its samples (see load-threads.ts). */
function main(port: NonNullable<typeof parentPort>, input: LoadThreadInput): void {
  const post = (message: LoadThreadMessage) => port.postMessage(message);
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  port.on('message', (message: unknown) => {
    if (message === 'abort') controller.abort(new Error('cancelled'));
  });
  const client = new OpenAiStreamClient(input.target);
  let last = 0;
  closedLoop(client, input.scenario, input.plan, controller.signal, (done) => {
    const now = Date.now();
    if (now - last < PROGRESS_EVERY_MS) return;
    last = now;
    post({ type: 'progress', done });
  })
    .then((result) => post({ type: 'done', ...result }), (error: unknown) => post({ type: 'error', message: error instanceof Error ? error.message : String(error) }))
    .finally(() => client.close());
}

if (!isMainThread && parentPort) main(parentPort, workerData as LoadThreadInput);
