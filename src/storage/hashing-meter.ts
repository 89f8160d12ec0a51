import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';

export interface HashingMeter {
  /** Pass-through stream to put in a pipeline: it hashes and counts what flows through it. */
  readonly stream: Transform;
  /** The sha256 (hex) of everything that passed; call once the pipeline has finished. */
  digest(): string;
  /** Bytes that passed so far. */
  bytes(): number;
}

/** sha256 and byte count of a stream on its way somewhere (a copy verified against the digest it is named by). */
export function hashingMeter(onBytes?: (bytesSoFar: number) => void): HashingMeter {
  const hash = createHash('sha256');
  let seen = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      seen += chunk.length;
      onBytes?.(seen);
      callback(null, chunk);
    },
  });
  return { stream, digest: () => hash.digest('hex'), bytes: () => seen };
}
