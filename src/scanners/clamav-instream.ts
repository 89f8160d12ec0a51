import net from 'node:net';
import type { Readable } from 'node:stream';

export interface InstreamTarget {
  socket: string | null;
  host: string | null;
  port: number | null;
  timeoutMs: number;
}

/**
 * clamd reads INSTREAM in length-prefixed chunks. Frames of about 1 MiB: stream chunks (64 KiB from a file) are
 * gathered up to that (bounded memory), because clamd's per-chunk overhead made 64 KiB frames ~1.5x slower.
 */
const FRAME = 1024 * 1024;

/**
 * One `zINSTREAM` exchange: the source's bytes in order, with backpressure (a file is never buffered whole:
 * the next chunk is read only once the socket took the previous one), then the zero-length terminator, then
 * clamd's answer. If clamd answers early (it refuses a stream over StreamMaxLength and closes), sending stops
 * and that answer is returned.
 *
 * Written here rather than with clamscan's `passthrough()`/`scanStream()`: passthrough writes the terminator
 * straight to the socket while chunks may still sit in its pipe, so clamd scans a prefix and can answer OK for
 * a file whose tail it never saw (seen here: two 10 MiB chunks with a signature in the second answered OK);
 * scanStream has no backpressure, so a file faster to read than to scan piles up in memory.
 */
/**
 * clamd took part of the stream, then the connection broke before any answer could be read. clamd does this when a
 * stream passes its StreamMaxLength (it answers, closes, and our next write meets EPIPE or a reset that can discard
 * the answer still unread), and when it fails mid-scan.
 */
export class ClosedMidStreamError extends Error {
  constructor(
    readonly bytesSent: number,
    cause: Error,
  ) {
    super(`clamd closed the connection after ${bytesSent} bytes, before an answer could be read (${cause.message})`);
  }
}

export async function instream(target: InstreamTarget, source: Readable, signal?: AbortSignal): Promise<string> {
  const socket = target.socket ? net.createConnection({ path: target.socket }) : net.createConnection({ host: target.host ?? '127.0.0.1', port: target.port ?? 3310 });
  socket.setTimeout(target.timeoutMs);
  let reply = '';
  let closed = false;
  let failure: Error | null = null;
  const done = new Promise<void>((resolve) => {
    socket.on('data', (chunk: Buffer) => (reply += chunk.toString('latin1')));
    socket.on('timeout', () => {
      failure ??= new Error(`no answer from clamd within ${target.timeoutMs} ms`);
      socket.destroy();
    });
    socket.on('error', (error) => (failure ??= error));
    socket.on('close', () => {
      closed = true;
      resolve();
    });
  });
  // A cancelled activity stops streaming at once instead of after the rest of a multi-GiB file.
  const abort = () => socket.destroy(new Error('scan cancelled'));
  let bytesSent = 0;
  signal?.addEventListener('abort', abort, { once: true });
  const drained = () =>
    new Promise<void>((resolve) => {
      if (closed) return resolve();
      const go = () => {
        socket.off('drain', go);
        socket.off('close', go);
        resolve();
      };
      socket.on('drain', go);
      socket.on('close', go);
    });
  const send = async (bytes: Buffer) => {
    if (!closed && !socket.write(bytes)) await drained();
  };
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    await send(Buffer.from('zINSTREAM\0', 'latin1'));
    const sendFrame = async (frame: Buffer) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(frame.length);
      await send(length);
      await send(frame);
      bytesSent += frame.length;
    };
    let gathered: Buffer[] = [];
    let gatheredBytes = 0;
    for await (const chunk of source) {
      const data = chunk as Buffer;
      gathered.push(data);
      gatheredBytes += data.length;
      if (gatheredBytes >= FRAME) {
        const all = Buffer.concat(gathered, gatheredBytes);
        for (let offset = 0; offset < all.length && !closed; offset += FRAME) await sendFrame(all.subarray(offset, offset + FRAME));
        gathered = [];
        gatheredBytes = 0;
      }
      if (closed || reply !== '') break;
    }
    if (gatheredBytes > 0 && !closed && reply === '') await sendFrame(Buffer.concat(gathered, gatheredBytes));
    await send(Buffer.alloc(4));
    socket.end();
    await done;
  } finally {
    signal?.removeEventListener('abort', abort);
    source.destroy();
    socket.destroy();
  }
  signal?.throwIfAborted();
  const answer = reply.replace(/\0/g, '').trim();
  // An answer that arrived is what counts (an EPIPE after clamd refused a stream is expected); without one, the error.
  if (answer === '') {
    const broken = failure as NodeJS.ErrnoException | null;
    if (broken && bytesSent > 0 && (broken.code === 'EPIPE' || broken.code === 'ECONNRESET')) throw new ClosedMidStreamError(bytesSent, broken);
    throw failure ?? new Error('clamd closed the connection without an answer');
  }
  return answer;
}
