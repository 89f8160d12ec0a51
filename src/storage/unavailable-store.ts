import { DomainError } from '../domain/common/domain-error';
import { StoreUnavailableError } from '../domain/storage/store';
import type { ArtifactStore } from './artifact-store';
import { CorruptBlobError } from './blob-integrity';
import { statusOf } from './s3-artifact-store';

const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EIO', 'ENOTCONN', 'ESTALE']);

/** Why a store operation failed, when the cause is the store being away (not a missing blob or a bad request). */
export function unavailability(error: unknown): string | null {
  if (error instanceof StoreUnavailableError) return error.why;
  if (error instanceof DomainError || error instanceof CorruptBlobError) return null;
  const e = error as { code?: unknown; name?: unknown; cause?: { code?: unknown } } | null;
  // The SDK's retry layer wraps what is not an Error of its own realm into "AWS SDK error wrapper for Error: connect
  // ECONNREFUSED …", keeping only the text: the code is read from the message then.
  const fromMessage = error instanceof Error || typeof (error as { message?: unknown } | null)?.message === 'string' ? /\b(E[A-Z]{3,12})\b/.exec((error as { message: string }).message)?.[1] : undefined;
  const code = typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : fromMessage;
  if (code && NETWORK.has(code)) return code === 'EIO' || code === 'ESTALE' ? 'its volume failed' : 'it cannot be reached';
  if (e?.name === 'TimeoutError' || e?.name === 'RequestTimeout') return 'it did not answer in time';
  const status = statusOf(error);
  if (status !== undefined && status >= 500) return `it answered ${status}`;
  if (status === 403) return 'it refused our credentials';
  return null;
}

/**
 * The store as services see it: a failure that means the store is away (refused connection, timeout, 5xx, lost
 * volume) becomes StoreUnavailableError naming the store, so a client reads "store X is unavailable" (503) and an
 * activity retries; anything else passes unchanged. Streams already handed out fail as they fail (a cut download).
 */
export function guardedStore(name: string, store: ArtifactStore): ArtifactStore {
  const convert = (error: unknown): never => {
    const why = unavailability(error);
    throw why ? new StoreUnavailableError(name, why) : error;
  };
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || property === 'listBlobs') return value;
      return (...args: unknown[]) => {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        return result instanceof Promise ? result.catch(convert) : result;
      };
    },
  });
}

/**
 * A registered store this process cannot open (its credentials were sealed with another SECRETS_KEY, or none is
 * configured): every operation fails with the reason, so /health and the blob collector report that store and go on
 * with the others instead of losing the whole list.
 */
export function unopenedStore(kind: ArtifactStore['kind'], name: string, reason: string): ArtifactStore {
  const fail = (): Promise<never> => Promise.reject(new StoreUnavailableError(name, `it cannot be opened here: ${reason}`));
  return {
    kind,
    adoptStagedFile: fail,
    has: fail,
    read: fail,
    listBlobs: () => ({ [Symbol.asyncIterator]: () => ({ next: fail }) }),
    statBlob: fail,
    deleteBlob: fail,
    listUploads: fail,
    readUpload: fail,
    localPath: () => null,
    probe: fail,
    presignGet: fail,
  };
}
