import net from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import type { AddressPolicy } from '../net/address-policy';
import { resolveChecked } from '../net/guarded-request';
import { Http1ResponseParser, type ResponseHandler } from './http1-response-parser';

export type { ResponseHandler } from './http1-response-parser';

/** No byte for this long while a request waits: the endpoint is taken as hung (undici's default body timeout). */
const BUSY_TIMEOUT_MS = 300_000;
/**
 * A request still answering after this long is ended: a server trickling a byte at a time (a head that never
 * ends, a stream of keep-alive comments) resets the silence timeout forever. Checked as bytes arrive, so a
 * request lasts at most this plus BUSY_TIMEOUT_MS. Half an hour is 32k tokens at 18 tokens/s.
 */
export const MAX_REQUEST_MS = 30 * 60_000;
/** Idle kept-alive connections are closed after this long (servers close theirs after 5–75 s anyway). */
const IDLE_TIMEOUT_MS = 30_000;

interface Connection {
  socket: net.Socket;
  parser: Http1ResponseParser | null;
  /** Requests this connection has carried: a reused one may have been closed by the server while idle. */
  uses: number;
}

interface Pending {
  request: Buffer;
  handler: ResponseHandler;
  /** Set when a reused connection failed before any answer byte: the request is sent once more on a new one. */
  retried: boolean;
  /** performance.now() after which the answer is cut off (MAX_REQUEST_MS from the first send). */
  deadline: number;
}

/**
 * A keep-alive pool of raw HTTP/1.1 connections to one origin, for the load generator. Node's http client puts
 * a ClientRequest, an agent queue, an IncomingMessage stream and an event per chunk between the socket and our
 * code; at hundreds of concurrent streams that work queues up on the event loop and shows in measured TTFT.
 * Here a request is one write, and each socket read reaches the handler directly.
 *
 * Every new connection resolves the host again and checks every address against the policy (when given), then
 * connects to the checked address: a name that turned private after the request was accepted (DNS rebinding)
 * is never contacted.
 */
export class Http1Pool {
  private readonly idle: Connection[] = [];
  private readonly busy = new Set<Connection>();
  private closedWith: string | null = null;
  private readonly host: string;
  private readonly port: number;
  private readonly secure: boolean;

  /**
   * `addresses`: a policy every new connection's addresses are checked against, an address checked already (a
   * load thread connects where its parent checked), or null (resolve freely: tests and the bench).
   */
  constructor(private readonly origin: URL, private readonly addresses: AddressPolicy | { pinned: string } | null, private readonly maxRequestMs = MAX_REQUEST_MS) {
    this.secure = origin.protocol === 'https:';
    if (!this.secure && origin.protocol !== 'http:') throw new Error(`${origin.protocol} endpoints are not supported; use http or https`);
    this.host = origin.hostname.replace(/^\[|\]$/g, '');
    this.port = Number(origin.port) || (this.secure ? 443 : 80);
  }

  /** Sends a complete request (head and body in one buffer); the handler hears the answer. */
  send(request: Buffer, handler: ResponseHandler): void {
    this.dispatch({ request, handler, retried: false, deadline: performance.now() + this.maxRequestMs });
  }

  /** Destroys every connection: requests in flight end at once with `reason`, later ones are refused. */
  close(reason = 'closed'): void {
    if (this.closedWith) return;
    this.closedWith = reason;
    for (const c of this.idle.splice(0)) c.socket.destroy();
    for (const c of [...this.busy]) this.finish(c, reason, false);
  }

  private dispatch(pending: Pending): void {
    if (this.closedWith) { pending.handler.onDone(this.closedWith); return; }
    let connection: Connection | undefined;
    while ((connection = this.idle.pop()) && connection.socket.destroyed);
    if (connection) this.start(connection, pending);
    else this.open().then((c) => this.start(c, pending), (error: Error) => pending.handler.onDone(error.message));
  }

  private async open(): Promise<Connection> {
    const source = this.addresses;
    const address = source === null ? this.host : 'pinned' in source ? source.pinned : (await resolveChecked(this.origin, source)).address;
    if (this.closedWith) throw new Error(this.closedWith);
    const socket = this.secure
      ? tls.connect({ host: address, port: this.port, servername: net.isIP(this.host) ? undefined : this.host, ALPNProtocols: ['http/1.1'] })
      : net.connect({ host: address, port: this.port });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    const connection: Connection = { socket, parser: null, uses: 0 };
    socket.on('data', (data: Buffer) => {
      const parser = connection.parser;
      if (!parser) { socket.destroy(); return; } // bytes nobody asked for: the connection cannot be trusted
      if (performance.now() > (parser.context as Pending).deadline) {
        this.finish(connection, `no complete answer from the endpoint within ${Math.round(this.maxRequestMs / 1000)} s`, false);
        return;
      }
      const outcome = parser.feed(data);
      if (outcome === 'more') return;
      this.finish(connection, outcome === 'error' ? parser.error : null, outcome === 'done-keep');
    });
    // 'close' follows and reports it, naming the cause (a refused connection, a reset, a TLS failure).
    let cause = '';
    socket.on('error', (error: NodeJS.ErrnoException) => { cause = ` (${error.code ?? error.message})`; });
    socket.on('timeout', () => {
      if (connection.parser) this.finish(connection, `no data from the endpoint for ${BUSY_TIMEOUT_MS / 1000} s`, false);
      else socket.destroy();
    });
    socket.on('close', () => {
      const parser = connection.parser;
      if (!parser) { this.drop(connection); return; }
      if (parser.endOfStream()) { this.finish(connection, null, false); return; }
      this.finish(connection, `${parser.received ? 'connection closed mid-response' : 'connection closed before a response'}${cause}`, false, true);
    });
    return connection;
  }

  private start(connection: Connection, pending: Pending): void {
    if (this.closedWith) { connection.socket.destroy(); pending.handler.onDone(this.closedWith); return; }
    connection.uses += 1;
    connection.parser = new Http1ResponseParser(pending.handler, pending);
    this.busy.add(connection);
    connection.socket.ref();
    connection.socket.setTimeout(BUSY_TIMEOUT_MS);
    connection.socket.write(pending.request);
    pending.handler.onSent?.();
  }

  /** Ends the connection's current request; a kept-alive connection goes back to the pool. */
  private finish(connection: Connection, error: string | null, keep: boolean, closed = false): void {
    const parser = connection.parser;
    if (!parser) return;
    connection.parser = null;
    this.busy.delete(connection);
    const pending = parser.context as Pending;
    // A reused connection the server had already closed: nothing was answered, so sending again is safe.
    if (closed && !parser.received && connection.uses > 1 && !pending.retried && !this.closedWith) {
      connection.socket.destroy();
      this.dispatch({ ...pending, retried: true });
      return;
    }
    if (keep && !this.closedWith) {
      // An idle connection never keeps the process alive, and is let go after a while.
      connection.socket.setTimeout(IDLE_TIMEOUT_MS);
      connection.socket.unref();
      this.idle.push(connection);
    } else connection.socket.destroy();
    pending.handler.onDone(error);
  }

  private drop(connection: Connection): void {
    const i = this.idle.indexOf(connection);
    if (i >= 0) this.idle.splice(i, 1);
  }
}

export interface WholeResponse {
  status: number;
  body: Buffer;
}

/** Sends a request and reads its whole answer (bounded: a longer body is an error, its bytes not kept). */
export function requestWhole(pool: Http1Pool, request: Buffer, maxBytes: number): Promise<WholeResponse> {
  return new Promise((resolve, reject) => {
    let status = 0;
    const parts: Buffer[] = [];
    let size = 0;
    pool.send(request, {
      onHead: (code) => { status = code; },
      onData: (data) => {
        size += data.length;
        // Stop reading at once: an endless body would otherwise hold the connection until the deadline.
        if (size > maxBytes) return `the answer is larger than ${maxBytes} bytes`;
        parts.push(Buffer.from(data));
        return undefined;
      },
      onDone: (error) => {
        if (error) reject(new Error(error));
        else resolve({ status, body: Buffer.concat(parts) });
      },
    });
  });
}

/**
 * A POST of a JSON body to an OpenAI-compatible endpoint as one buffer (one write): the request line, Host, the
 * caller's header lines (each ending in CRLF), the bearer token when there is one, and Content-Length.
 */
export function jsonPost(origin: URL, path: string, headerLines: string, apiKey: string | null | undefined, body: Buffer): Buffer {
  const auth = apiKey ? `authorization: Bearer ${apiKey}\r\n` : '';
  const head = `POST ${path} HTTP/1.1\r\nHost: ${origin.host}\r\ncontent-type: application/json\r\n${headerLines}${auth}content-length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}
