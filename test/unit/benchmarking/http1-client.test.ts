import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Http1Pool, type ResponseHandler } from '../../../src/benchmarking/http1-pool';
import { Http1ResponseParser } from '../../../src/benchmarking/http1-response-parser';
import { readEvent } from '../../../src/benchmarking/openai-stream-client';
import { SseDataReader, SseLineTooLongError } from '../../../src/benchmarking/sse-lines';
import { createAddressPolicy } from '../../../src/net/address-policy';

interface Heard { status: number | null; body: string; done: string | null | undefined }

function recorder(): { heard: Heard; handler: ResponseHandler; finished: Promise<Heard> } {
  const heard: Heard = { status: null, body: '', done: undefined };
  const parts: Buffer[] = [];
  let resolve: (h: Heard) => void = () => undefined;
  const finished = new Promise<Heard>((r) => { resolve = r; });
  return {
    heard,
    finished,
    handler: {
      onHead: (status) => { heard.status = status; },
      // Decoded at the end: a read may cut a UTF-8 sequence.
      onData: (data) => { parts.push(Buffer.from(data)); heard.body = Buffer.concat(parts).toString(); },
      onDone: (error) => { if (heard.done !== undefined) throw new Error('onDone twice'); heard.done = error; resolve(heard); },
    },
  };
}

/** Feeds the bytes cut at every possible pair of points: the parser's answer may not depend on where reads end. */
function feedAllSplits(raw: string, check: (heard: Heard, outcome: string) => void): void {
  const bytes = Buffer.from(raw);
  for (let i = 0; i <= bytes.length; i += 1) {
    for (let j = i; j <= bytes.length; j += Math.max(1, Math.floor(bytes.length / 7))) {
      const { heard, handler } = recorder();
      const parser = new Http1ResponseParser(handler, null);
      let outcome = 'more';
      for (const part of [bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)]) {
        if (part.length && outcome === 'more') outcome = parser.feed(part);
      }
      check(heard, outcome);
    }
  }
}

describe('HTTP/1.1 response parser', () => {
  it('removes chunked transfer coding wherever reads are cut, and keeps the connection', () => {
    const raw = 'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n'
      + '6\r\ndata: \r\n' + 'b;ext=1\r\n{"a":"ü"}\n\r\n' + '0\r\nX-Trailer: y\r\n\r\n';
    feedAllSplits(raw, (heard, outcome) => {
      expect(outcome).toBe('done-keep');
      expect(heard.status).toBe(200);
      expect(heard.body).toBe('data: {"a":"ü"}\n');
    });
  });

  it('reads a Content-Length body, skips 100 Continue, and closes on Connection: close', () => {
    feedAllSplits('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 500 Internal\r\nContent-Length: 5\r\nConnection: close\r\n\r\noops!', (heard, outcome) => {
      expect([heard.status, heard.body, outcome]).toEqual([500, 'oops!', 'done-close']);
    });
  });

  it('takes a body without framing as lasting until the connection ends', () => {
    const { heard, handler } = recorder();
    const parser = new Http1ResponseParser(handler, null);
    expect(parser.feed(Buffer.from('HTTP/1.0 200 OK\r\n\r\nabc'))).toBe('more');
    expect(parser.endOfStream()).toBe(true);
    expect(heard.body).toBe('abc');
  });

  it('refuses malformed and unbounded answers instead of buffering them', () => {
    const cases: [string, string][] = [
      ['SSH-2.0-OpenSSH\r\n\r\n', 'not an HTTP/1.x response'],
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'malformed chunk size'],
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY', 'malformed chunk ending'],
      ['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', 'malformed Content-Length'],
      [`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(70_000)}`, 'response head over 64 KiB'],
    ];
    for (const [raw, error] of cases) {
      const parser = new Http1ResponseParser(recorder().handler, null);
      expect(parser.feed(Buffer.from(raw))).toBe('error');
      expect(parser.error).toBe(error);
    }
  });
});

describe('reading stream events', () => {
  it('classifies the usual compact chunks without parsing, and parses everything else alike', () => {
    const cases: [string, boolean, number | null][] = [
      ['{"choices":[{"index":0,"delta":{"content":"hi"}}]}', true, null],
      ['{"choices":[{"index":0,"text":" x"}]}', true, null],
      ['{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}', false, null],
      ['{"choices":[{"index":0,"delta":{"content":null},"finish_reason":"stop"}],"usage":null}', false, null],
      ['{"choices":[{"delta":{"reasoning_content":"think","content":""}}]}', false, null],
      ['{"choices":[{"delta":{"content": "spaced"}}]}', true, null],
      ['{"choices":[{"delta":{"content":"say \\"usage\\": 3"}}]}', true, null],
      ['{"choices":[],"usage":{"prompt_tokens":4,"completion_tokens":9}}', false, 9],
      ['{"choices":[{"delta":{"content":"last"}}],"usage": {"completion_tokens":2}}', true, 2],
      ['not json', false, null],
    ];
    for (const [data, content, completion] of cases) {
      const reading = readEvent(data);
      expect([data, reading.content, reading.usage?.completion_tokens ?? null]).toEqual([data, content, completion]);
    }
  });
});

describe('HTTP/1.1 connection pool', () => {
  let server: net.Server;
  let port: number;
  const sockets: net.Socket[] = [];
  let answers = 0;
  beforeAll(async () => {
    server = net.createServer((socket) => {
      sockets.push(socket);
      socket.on('data', () => {
        answers += 1;
        socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n${String(answers).padStart(2, '0')}`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => { for (const s of sockets) s.destroy(); return new Promise<void>((resolve) => server.close(() => resolve())); });

  const request = Buffer.from('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n');

  it('reuses a kept-alive connection, and resends once when the server had closed it while idle', async () => {
    const pool = new Http1Pool(new URL(`http://127.0.0.1:${port}/`), null);
    const first = recorder();
    pool.send(request, first.handler);
    expect(await first.finished).toMatchObject({ status: 200, done: null });
    const second = recorder();
    pool.send(request, second.handler);
    expect(await second.finished).toMatchObject({ status: 200, done: null });
    expect(sockets).toHaveLength(1);
    sockets[0].destroy(); // the server's idle timeout
    await new Promise((resolve) => setTimeout(resolve, 50));
    const third = recorder();
    pool.send(request, third.handler);
    expect(await third.finished).toMatchObject({ status: 200, done: null });
    expect(sockets).toHaveLength(2);
    pool.close();
    const late = recorder();
    pool.send(request, late.handler);
    expect((await late.finished).done).toBe('closed');
  });

  it('names why a connection failed (a refused port)', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const freePort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const heard = recorder();
    new Http1Pool(new URL(`http://127.0.0.1:${freePort}/`), null).send(request, heard.handler);
    expect((await heard.finished).done).toBe('connection closed before a response (ECONNREFUSED)');
  });

  it('checks the address of every new connection against the policy', async () => {
    const refused = new Http1Pool(new URL(`http://localhost:${port}/`), createAddressPolicy([]));
    const heard = recorder();
    refused.send(request, heard.handler);
    expect((await heard.finished).done).toMatch(/localhost .*public addresses/);
    const before = sockets.length;
    const allowed = new Http1Pool(new URL(`http://localhost:${port}/`), createAddressPolicy(['127.0.0.0/8', '::1/128']));
    const ok = recorder();
    allowed.send(request, ok.handler);
    expect(await ok.finished).toMatchObject({ status: 200, done: null });
    expect(sockets.length).toBe(before + 1);
    allowed.close();
  });

  it('ends a request whose answer trickles in past the deadline (a head that never ends)', async () => {
    const trickler = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.write('HTTP/1.1 200 OK\r\n');
      const drip = setInterval(() => (socket.destroyed ? clearInterval(drip) : socket.write('X-Slow: a\r\n')), 50);
      socket.on('close', () => clearInterval(drip));
    });
    await new Promise<void>((resolve) => trickler.listen(0, '127.0.0.1', resolve));
    const pool = new Http1Pool(new URL(`http://127.0.0.1:${(trickler.address() as AddressInfo).port}/`), null, 1000);
    const heard = recorder();
    const started = Date.now();
    pool.send(request, heard.handler);
    expect((await heard.finished).done).toBe('no complete answer from the endpoint within 1 s');
    expect(Date.now() - started).toBeLessThan(3000);
    pool.close();
    await new Promise<void>((resolve) => trickler.close(() => resolve()));
  });
});

describe('bounds on what a response may make us hold', () => {
  it('refuses chunk sizes no body could have, and stops when the handler says so', () => {
    for (const size of ['ffffffffffffffffffff', '1e', '12xyz', '+5']) {
      const parser = new Http1ResponseParser(recorder().handler, null);
      const outcome = parser.feed(Buffer.from(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${size}\r\n`));
      expect([size, outcome === 'error' ? parser.error : outcome]).toEqual([size, size === '1e' ? 'more' : 'malformed chunk size']);
    }
    const parser = new Http1ResponseParser({ onHead: () => undefined, onData: () => 'enough', onDone: () => undefined }, null);
    expect(parser.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'))).toBe('error');
    expect(parser.error).toBe('enough');
  });

  it('carries at most one bounded SSE line between reads', () => {
    const reader = new SseDataReader(1024);
    expect(reader.push('data: a\ndata: ' + 'b'.repeat(1000))).toEqual(['a']);
    expect(() => reader.push('b'.repeat(100))).toThrow(SseLineTooLongError);
    const whole = new SseDataReader(1024);
    expect(() => whole.push(`data: ${'c'.repeat(2000)}\n`)).toThrow('an event line over 1024 bytes');
  });
});
