import type { Readable } from 'node:stream';
import { ValidationError } from '../../domain/common/domain-error';

/**
 * The lines of an ndjson body, one at a time (a commit's regular files are base64 inside it: never the whole body
 * in memory). A line longer than `maxLineBytes` refuses the body rather than growing without bound; blank lines are
 * skipped.
 */
export async function* ndjsonLines(body: Readable, maxLineBytes: number): AsyncGenerator<string> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    let start = 0;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, start)) {
      pending.push(chunk.subarray(start, i));
      pendingBytes += i - start;
      if (pendingBytes > maxLineBytes) throw tooLong(maxLineBytes);
      const line = Buffer.concat(pending).toString('utf8').trim();
      pending = [];
      pendingBytes = 0;
      start = i + 1;
      if (line !== '') yield line;
    }
    pending.push(chunk.subarray(start));
    pendingBytes += chunk.length - start;
    if (pendingBytes > maxLineBytes) throw tooLong(maxLineBytes);
  }
  // A connection closed before the message ended: whatever arrived is not the commit the client sent.
  if ((body as { complete?: unknown }).complete === false) throw new ValidationError('body', 'the commit body was cut before its end; nothing was committed');
  const last = Buffer.concat(pending).toString('utf8').trim();
  if (last !== '') yield last;
}

function tooLong(max: number): ValidationError {
  return new ValidationError('body', `an ndjson line is longer than ${max} bytes; files that large go through LFS (the preupload answers "lfs" for them)`);
}
