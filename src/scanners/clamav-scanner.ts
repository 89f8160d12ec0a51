import type { Readable } from 'node:stream';
import NodeClam from 'clamscan';
import { ClosedMidStreamError, instream } from './clamav-instream';
import { isLimitSignature } from '../domain/scanning/scan-verdict';
import type { VirusVerdict } from '../domain/scanning/scanner-ports';

export interface ClamdEndpoint {
  /** A Unix socket wins over host/port when both are set. */
  socket: string | null;
  host: string | null;
  port: number | null;
  /** Socket idle timeout: clamd stays silent while it scans a large stream after the last chunk. */
  timeoutMs: number;
}

/** clamd cannot take a stream of 2 GiB or more (its length counters are 32-bit); such files are never sent. */
export const CLAMD_STREAM_LIMIT = 2 ** 31;

/** clamd could not be reached or gave no usable answer: transient, the scan is retried, never called clean. */
export class ClamdUnavailableError extends Error {}

/**
 * ClamAV through clamd (TCP or a Unix socket): the `clamscan` package connects and checks the daemon (PING) and
 * asks VERSION; the bytes go through our own INSTREAM exchange (clamav-instream.ts says why).
 */
export class ClamavScanner {
  private client: Promise<NodeClam> | null = null;

  constructor(private readonly endpoint: ClamdEndpoint) {}

  /** clamd's VERSION answer, e.g. `ClamAV 1.4.6/27492/Tue Nov 25 09:23:03 2026` (engine/signature db/date). */
  async version(): Promise<string> {
    const raw = await (await this.connect()).getVersion().catch((error: unknown) => {
      throw new ClamdUnavailableError(`clamd VERSION failed: ${(error as Error).message}`);
    });
    const version = String(raw).replace(/\0/g, '').trim();
    if (!version.startsWith('ClamAV ')) throw new ClamdUnavailableError(`clamd answered VERSION with ${JSON.stringify(version.slice(0, 100))}`);
    return version.slice(0, 200);
  }

  /**
   * Streams `source` (of `size` bytes) to clamd. A stream clamd refuses as too long, or reports as exceeding its
   * limits (AlertExceedsMax), is NOT_SCANNED, never CLEAN. Consumes or destroys `source` in every case.
   */
  async scan(source: Readable, size: number, signal?: AbortSignal): Promise<VirusVerdict> {
    if (size >= CLAMD_STREAM_LIMIT) {
      source.destroy();
      return { outcome: 'NOT_SCANNED', reason: `${size} bytes: clamd cannot scan files of 2 GiB or more` };
    }
    // clamscan's init pings clamd once: an unreachable daemon fails here, before any byte is read.
    await this.connect().catch((error: unknown) => {
      source.destroy();
      throw error;
    });
    let answer: string;
    try {
      answer = await instream(this.endpoint, source, signal);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      // Fail closed either way: never CLEAN, and not retried as if clamd were away (it took the bytes and refused).
      if (error instanceof ClosedMidStreamError) return { outcome: 'NOT_SCANNED', reason: `${error.message}: an INSTREAM size limit exceeded (StreamMaxLength), or clamd failed mid-scan` };
      throw new ClamdUnavailableError(`clamd scan failed: ${(error as Error).message}`);
    }
    return interpret(answer);
  }

  private connect(): Promise<NodeClam> {
    this.client ??= new NodeClam()
      .init({
        preference: 'clamdscan',
        // No local binaries: only the daemon, so a missing clamd is an error, never a silent fallback.
        clamscan: { active: false, path: null },
        clamdscan: {
          socket: this.endpoint.socket ?? false,
          host: this.endpoint.socket ? false : (this.endpoint.host ?? '127.0.0.1'),
          port: this.endpoint.socket ? false : (this.endpoint.port ?? 3310),
          timeout: this.endpoint.timeoutMs,
          localFallback: false,
          path: null,
          bypassTest: false,
        },
      })
      .catch((error: unknown) => {
        this.client = null; // the next call tries again
        throw new ClamdUnavailableError(`clamd is unreachable: ${(error as Error).message}`);
      });
    return this.client;
  }
}

/** clamd's INSTREAM answers: `stream: OK`, `stream: <signature> FOUND`, `<message> ERROR`. */
export function interpret(answer: string): VirusVerdict {
  if (/^stream: OK$/.test(answer)) return { outcome: 'CLEAN' };
  if (/size limit exceeded/i.test(answer)) return { outcome: 'NOT_SCANNED', reason: 'larger than clamd StreamMaxLength (INSTREAM size limit exceeded)' };
  const found = [...answer.matchAll(/^stream: (.+) FOUND$/gm)].map((m) => m[1].slice(0, 200));
  if (found.length === 0) throw new ClamdUnavailableError(`clamd answered ${JSON.stringify(answer.slice(0, 200))}`);
  const limits = found.filter(isLimitSignature);
  // AlertExceedsMax reports "too large to scan whole" as a detection: a finding, but not an infection.
  if (limits.length === found.length) return { outcome: 'NOT_SCANNED', reason: `exceeds clamd scan limits (${limits.join(', ')})` };
  return { outcome: 'INFECTED', signatures: found.filter((s) => !isLimitSignature(s)) };
}
