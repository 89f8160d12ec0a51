import type { Response } from 'express';
import type { Readable } from 'node:stream';

/**
 * Writes one chunk of a download. When the client's side is full it waits for the client to take the bytes (or go),
 * and cuts the download after `idleMs` without that (DOWNLOAD_IDLE_TIMEOUT_MS): a reader that stalls must not pin
 * its buffers, an open file or a turn at the database forever; clients resume with Range. Resolves false when the
 * response is gone. The waiter takes its listeners away with it: a download waits once per chunk.
 */
export function writeOrCut(res: Response, chunk: Buffer, idleMs: number): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (res.write(chunk)) return Promise.resolve(true);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { res.destroy(); }, idleMs);
    const done = (error?: Error) => {
      clearTimeout(timer);
      res.off('drain', done).off('close', done).off('error', done);
      if (error) reject(error);
      else resolve(!res.destroyed);
    };
    res.on('drain', done).on('close', done).on('error', done);
  });
}

/** Streams a file body to the client chunk by chunk through writeOrCut; the body is closed however it ends. */
export async function sendBody(res: Response, body: Readable, idleMs: number): Promise<void> {
  try {
    for await (const chunk of body) {
      if (!(await writeOrCut(res, chunk as Buffer, idleMs))) return;
    }
    res.end();
  } finally {
    body.destroy();
  }
}
