import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { ConflictError } from '../domain/common/domain-error';

/**
 * A stored blob whose bytes no longer hash to its address (bit rot, a truncated copy, someone editing the
 * store). Never retried: the blob has been quarantined, and only a new import of the file brings it back.
 */
export class CorruptBlobError extends ConflictError {
  constructor(
    readonly sha256: string,
    readonly actual: string,
    readonly quarantinedAt: string | null,
  ) {
    super(
      `stored blob ${sha256} no longer matches its sha256 (its bytes hash to ${actual}); it was quarantined and will ` +
        'not be served — import the version again to restore the file',
      { sha256 },
    );
  }
}

/** Told when a read finds a corrupt blob, after the blob was moved aside: logs, metrics. */
export type CorruptionReporter = (report: { sha256: string; actual: string; quarantinedAt: string | null }) => void;

/**
 * Passes a whole blob through while hashing it, holding back the last chunk until the digest is known: a
 * reader never receives the complete bytes of a blob that does not match, it receives CorruptBlobError
 * instead (after `quarantine` has moved the blob out of the store, so nothing serves it again).
 */
export function verifyingStream(source: Readable, sha256: string, quarantine: (actual: string) => Promise<string | null>): Readable {
  const hash = createHash('sha256');
  let held: Buffer | null = null;
  const check = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      const previous = held;
      held = chunk;
      done(null, previous ?? undefined);
    },
    flush(done) {
      const actual = hash.digest('hex');
      if (actual === sha256) {
        done(null, held ?? undefined);
        return;
      }
      quarantine(actual).then(
        (where) => done(new CorruptBlobError(sha256, actual, where)),
        (error: unknown) => done(new CorruptBlobError(sha256, actual, `not moved: ${String(error)}`)),
      );
    },
  });
  source.once('error', (error) => check.destroy(error));
  return source.pipe(check);
}
