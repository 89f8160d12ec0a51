import type { Config } from '../../config/config';
import { redactUrl, splitUrlCredentials } from '../../domain/onboarding/import-source';
import { createAddressPolicy } from '../../net/address-policy';
import { DestinationRefusedError, type GuardedResponse, guardedRequest } from '../../net/guarded-request';
import { createSecretSealer, SealedSecretError } from '../../net/sealed-secret';
import type { OpenedSource } from '../staged-file';
import { describeCauses, type ModelSource, type SourceFile, type SourceListing, SourceUnavailableError, SourceUnreachableError } from './model-source';

/** Longest wait for a URL's response headers; the body then has IMPORT_IDLE_TIMEOUT_MS between bytes. */
const HEADERS_TIMEOUT_MS = 30_000;

export interface UrlSourceSpec {
  url: string;
  fileName: string;
  sha256: string | null;
  /** The sealed `user:password` of the URL, if it had any. */
  credentials?: string | null;
}

/**
 * A single file over http(s) on a user's word; resumable with Range when the server supports it. Every
 * address it connects to (and every redirect's) must be public or allowed by URL_IMPORT_ALLOW, and messages
 * name the URL without its credentials.
 */
export class UrlSource implements ModelSource {
  private readonly url: URL;
  private readonly shown: string;
  private readonly authorization: string | null;

  constructor(
    private readonly spec: UrlSourceSpec,
    private readonly config: Pick<Config, 'urlImports'>,
  ) {
    // Rows written before credentials were sealed may still carry them in the URL itself.
    const { url, secret } = splitUrlCredentials(spec.url);
    this.url = new URL(url);
    this.shown = redactUrl(url);
    const plain = spec.credentials ? this.openCredentials(spec.credentials) : secret;
    this.authorization = plain === null ? null : `Basic ${Buffer.from(plain, 'utf8').toString('base64')}`;
  }

  private openCredentials(sealed: string): string {
    const key = this.config.urlImports.secretsKey;
    if (!key) throw new SourceUnavailableError(`${this.shown}: its credentials need SECRETS_KEY on the worker`, 'BAD_USER_INPUT');
    try {
      return createSecretSealer(key).open(sealed);
    } catch (error) {
      if (error instanceof SealedSecretError) throw new SourceUnavailableError(`${this.shown}: ${error.message}`, 'BAD_USER_INPUT');
      throw error;
    }
  }

  private async request(method: 'GET' | 'HEAD', headers: Record<string, string> = {}): Promise<GuardedResponse> {
    try {
      return await guardedRequest(this.url, {
        method,
        headers,
        authorization: this.authorization,
        policy: createAddressPolicy(this.config.urlImports.allow),
        maxRedirects: this.config.urlImports.maxRedirects,
        timeoutMs: HEADERS_TIMEOUT_MS,
      });
    } catch (error) {
      if (error instanceof DestinationRefusedError) throw new SourceUnavailableError(`${this.shown}: ${error.message}`, 'BAD_USER_INPUT');
      // Refused, reset, unresolved for now, no answer in time: the URL's server is not there (retried within the budget).
      throw new SourceUnreachableError(`${this.shown}: ${describeCauses(error)}`, { cause: error });
    }
  }

  async list(): Promise<SourceListing> {
    const response = await this.request('HEAD');
    response.body.resume();
    const { status } = response;
    if (status === 404 || status === 410) throw new SourceUnavailableError(`${this.shown} answered ${status}`);
    if (status === 401 || status === 403) throw new SourceUnavailableError(`${this.shown} refused access (${status})`, 'FORBIDDEN');
    if (status < 200 || status >= 300) throw answered('HEAD', this.shown, status); // transient: retried
    const length = response.headers['content-length'];
    const size = length === undefined ? null : Number(length);
    // A URL has no immutable revision: the user's sha256, when given, is what pins its content.
    return {
      revision: null,
      files: [{ path: this.spec.fileName, size: size !== null && Number.isSafeInteger(size) && size >= 0 ? size : null, sha256: this.spec.sha256, gitBlobId: null }],
    };
  }

  async open(_file: SourceFile, offset: number): Promise<OpenedSource> {
    const response = await this.request('GET', offset > 0 ? { range: `bytes=${offset}-` } : {});
    if (response.status < 200 || response.status >= 300) {
      response.body.destroy();
      throw answered('GET', this.shown, response.status);
    }
    const resumed = response.status === 206 && String(response.headers['content-range'] ?? '').startsWith(`bytes ${offset}-`);
    return { stream: response.body, offset: resumed ? offset : 0 };
  }
}

/** A server fault (5xx, 429) is an unreachable source, retried within its budget; other answers are retried as before. */
function answered(method: string, shown: string, status: number): Error {
  const message = `${method} ${shown} answered ${status}`;
  return status >= 500 || status === 429 ? new SourceUnreachableError(message) : new Error(message);
}
