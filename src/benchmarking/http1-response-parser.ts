/** Hears one HTTP/1.1 response: its status, its body bytes (transfer coding removed) and its end. */
export interface ResponseHandler {
  /** The request was written to the socket. */
  onSent?(): void;
  onHead(status: number, headers: ReadonlyMap<string, string>): void;
  /** Returns a reason to stop reading (the request ends with it as its error, the connection is closed). */
  onData(data: Buffer): void | string;
  /** Exactly once: null when the whole body arrived, else why not. */
  onDone(error: string | null): void;
}

/** 'more': keep feeding; 'done-keep': complete, the connection may carry the next request; 'done-close': complete, close it. */
export type FeedOutcome = 'more' | 'done-keep' | 'done-close' | 'error';

const MAX_HEAD_BYTES = 64 * 1024;
const MAX_CHUNK_LINE = 1024;
// 12 hex digits is 256 TiB: anything longer is not a chunk size, and longer ones lose precision as numbers.
const CHUNK_SIZE = /^[0-9a-f]{1,12}$/i;
const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'until-close' | 'done';

/**
 * An incremental HTTP/1.1 response parser for the load generator's raw connections: status line and headers,
 * then a body framed by Content-Length, chunked transfer coding, or the end of the connection. Bounded: a head
 * over 64 KiB or a malformed chunk line is an error, never an unbounded buffer.
 */
export class Http1ResponseParser {
  error: string | null = null;
  /** Whether any byte of the answer arrived (a request on a stale connection may be resent only if not). */
  received = false;
  private state: State = 'head';
  private carry: Buffer | null = null;
  private left = 0;
  private keepAlive = true;

  constructor(private readonly handler: ResponseHandler, readonly context: unknown) {}

  feed(input: Buffer): FeedOutcome {
    this.received = true;
    const data = this.carry ? Buffer.concat([this.carry, input]) : input;
    this.carry = null;
    let at = 0;
    while (at < data.length || this.state === 'done') {
      switch (this.state) {
        case 'head': {
          const end = data.indexOf(HEAD_END, at);
          if (end < 0) return this.keep(data, at, MAX_HEAD_BYTES, 'response head over 64 KiB');
          const failure = this.head(data.toString('latin1', at, end));
          if (failure) return this.fail(failure);
          at = end + 4;
          break;
        }
        case 'length': {
          const n = Math.min(this.left, data.length - at);
          const stop = n > 0 ? this.handler.onData(data.subarray(at, at + n)) : undefined;
          if (stop) return this.fail(stop);
          at += n;
          this.left -= n;
          if (this.left === 0) this.state = 'done';
          break;
        }
        case 'until-close': {
          const stop = this.handler.onData(data.subarray(at));
          return stop ? this.fail(stop) : 'more';
        }
        case 'chunk-size': {
          const end = data.indexOf(CRLF, at);
          if (end < 0) return this.keep(data, at, MAX_CHUNK_LINE, 'chunk size line too long');
          const digits = data.toString('latin1', at, end).split(';')[0].trim();
          if (!CHUNK_SIZE.test(digits)) return this.fail('malformed chunk size');
          const size = Number.parseInt(digits, 16);
          at = end + 2;
          this.left = size;
          this.state = size === 0 ? 'trailers' : 'chunk-data';
          break;
        }
        case 'chunk-data': {
          const n = Math.min(this.left, data.length - at);
          const stop = this.handler.onData(data.subarray(at, at + n));
          if (stop) return this.fail(stop);
          at += n;
          this.left -= n;
          if (this.left === 0) this.state = 'chunk-end';
          break;
        }
        case 'chunk-end':
          if (data.length - at < 2) return this.keep(data, at, 2, '');
          if (data[at] !== 13 || data[at + 1] !== 10) return this.fail('malformed chunk ending');
          at += 2;
          this.state = 'chunk-size';
          break;
        case 'trailers': {
          const end = data.indexOf(CRLF, at);
          if (end < 0) return this.keep(data, at, MAX_HEAD_BYTES, 'trailers over 64 KiB');
          if (end === at) this.state = 'done'; // the empty line after the (ignored) trailer fields
          at = end + 2;
          break;
        }
        case 'done':
          // Bytes after the response on a connection we did not ask anything else of: do not reuse it.
          return at < data.length || !this.keepAlive ? 'done-close' : 'done-keep';
      }
    }
    return 'more';
  }

  /** The connection ended: complete only when the body was framed by the end of the connection. */
  endOfStream(): boolean {
    return this.state === 'until-close' || this.state === 'done';
  }

  private head(text: string): string | null {
    const lines = text.split('\r\n');
    const status = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0]);
    if (!status) return 'not an HTTP/1.x response';
    const code = Number(status[2]);
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) return 'malformed response header';
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
    }
    if (code >= 100 && code < 200) return null; // an interim answer (100 Continue): the real one follows
    const connection = (headers.get('connection') ?? '').toLowerCase();
    this.keepAlive = status[1] === '1' ? !connection.includes('close') : connection.includes('keep-alive');
    this.handler.onHead(code, headers);
    const coding = headers.get('transfer-encoding');
    const length = headers.get('content-length');
    if (code === 204 || code === 304) this.state = 'done';
    else if (coding) {
      if (!coding.toLowerCase().endsWith('chunked')) { this.state = 'until-close'; this.keepAlive = false; }
      else this.state = 'chunk-size';
    } else if (length !== undefined) {
      if (!/^\d{1,15}$/.test(length)) return 'malformed Content-Length';
      this.left = Number(length);
      this.state = this.left === 0 ? 'done' : 'length';
    } else {
      this.state = 'until-close';
      this.keepAlive = false;
    }
    return null;
  }

  private keep(data: Buffer, at: number, limit: number, tooLong: string): FeedOutcome {
    if (data.length - at > limit && tooLong) return this.fail(tooLong);
    this.carry = data.subarray(at);
    return 'more';
  }

  private fail(message: string): FeedOutcome {
    this.error = message;
    this.state = 'done';
    return 'error';
  }
}
