import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { runSweep, type LoadScenario } from '../../src/benchmarking/load-sweep';
import { encodeSamples } from '../../src/benchmarking/sample-codec';

/**
 * An endpoint that misbehaves on purpose, chosen per request by the model name: each answer must end the request
 * as an error sample quickly, with bounded memory, and never hang or kill the load generator.
 */
type Behaviour = (socket: net.Socket) => void;

const SSE_HEAD = 'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n';
const token = (text: string) => `data: {"choices":[{"delta":{"content":"${text}"}}]}\n\n`;

/** Writes `piece` every tick until the client goes away; returns how many bytes went out. */
function flood(socket: net.Socket, head: string, piece: () => string, sent: { bytes: number }): void {
  socket.write(head);
  const tick = () => {
    if (socket.destroyed) return;
    const data = piece();
    sent.bytes += data.length;
    if (socket.write(data)) setImmediate(tick);
    else socket.once('drain', tick);
  };
  tick();
}

function startHostileServer(behaviours: Record<string, Behaviour>): Promise<{ url: string; close: () => Promise<void>; open: () => number }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let raw = Buffer.alloc(0);
    socket.on('data', (data) => {
      raw = Buffer.concat([raw, data]);
      const end = raw.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length: (\d+)/i.exec(raw.toString('latin1', 0, end))?.[1] ?? 0);
      if (raw.length < end + 4 + length) return;
      const body = JSON.parse(raw.toString('utf8', end + 4, end + 4 + length)) as { model: string };
      socket.removeAllListeners('data');
      behaviours[body.model](socket);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    open: () => sockets.size,
    close: () => new Promise<void>((done) => { for (const s of sockets) s.destroy(); server.close(() => done()); }),
  })));
}

describe('load generator against a hostile endpoint', () => {
  const sent = { bytes: 0 };
  let server: Awaited<ReturnType<typeof startHostileServer>>;
  beforeAll(async () => {
    server = await startHostileServer({
      // One SSE line that never ends: the reader's carry must stay bounded.
      'endless-line': (s) => flood(s, `${SSE_HEAD}data: {"choices":[{"delta":{"content":"`, () => 'x'.repeat(64 * 1024), sent),
      // An error whose body never ends.
      'endless-error': (s) => flood(s, 'HTTP/1.1 500 Internal Server Error\r\nconnection: close\r\n\r\n', () => 'oops '.repeat(1000), sent),
      // Tokens forever, far past max_tokens.
      'endless-tokens': (s) => flood(s, SSE_HEAD, () => token('t'), sent),
      // Keep-alive comments and empty events forever: no content chunk ever counts toward the chunk bound.
      'endless-pings': (s) => flood(s, SSE_HEAD, () => ': ping\n\ndata: {"choices":[{"delta":{}}]}\n\n'.repeat(500), sent),
      // A chunk size no body could have.
      'huge-chunk': (s) => s.end('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nffffffffffffffffffff\r\ndata: x\n\r\n'),
      // Usage figures no server could have counted, after three real tokens.
      'absurd-usage': (s) => s.end(`${SSE_HEAD}${token('a')}${token('b')}${token('c')}data: {"choices":[],"usage":{"prompt_tokens":-5,"completion_tokens":1e308}}\n\ndata: [DONE]\n\n`),
      // Invalid UTF-8 inside the content: still a token, nothing throws.
      'bad-utf8': (s) => {
        s.write(SSE_HEAD);
        s.end(Buffer.concat([Buffer.from('data: {"choices":[{"delta":{"content":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}}]}\n\ndata: [DONE]\n\n')]));
      },
    });
  });
  afterAll(() => server.close());

  const scenario: LoadScenario = { api: 'chat', concurrencies: [2], warmupRequests: 0, requestsPerLevel: 2, outputTokens: 16, inputTokens: 4 };
  const sweep = async (model: string) => {
    const started = Date.now();
    const [level] = await runSweep({ baseUrl: server.url, model }, scenario, new AbortController().signal);
    return { level, ms: Date.now() - started };
  };

  it('cuts off an endless SSE line at 1 MiB instead of buffering it', async () => {
    const before = process.memoryUsage().rss;
    sent.bytes = 0;
    const { level, ms } = await sweep('endless-line');
    expect(level.samples.map((s) => s.error)).toEqual(['an event line over 1048576 bytes', 'an event line over 1048576 bytes']);
    expect(ms).toBeLessThan(10_000);
    // The server wrote well past the bound before the connection was cut; the client kept none of it.
    expect(sent.bytes).toBeGreaterThan(2 * 1024 * 1024);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });

  it('reads only the start of an endless error body, then closes the connection', async () => {
    const { level, ms } = await sweep('endless-error');
    for (const s of level.samples) {
      expect(s.status).toBe(500);
      expect(s.error).toMatch(/^HTTP 500: oops oops/);
      expect(s.error!.length).toBeLessThanOrEqual(300);
    }
    expect(ms).toBeLessThan(10_000);
  });

  it('ends a stream that goes on far past max_tokens as an error, its gaps bounded', async () => {
    const { level, ms } = await sweep('endless-tokens');
    for (const s of level.samples) {
      expect(s.error).toBe('the endpoint streamed over 48 chunks for max_tokens 16');
      expect(s.itlMs.length).toBeLessThanOrEqual(48);
    }
    expect(ms).toBeLessThan(10_000);
    expect(level.metrics.errors).toBe(2);
  });

  it('ends a stream of events without content once it passes its byte bound', async () => {
    sent.bytes = 0;
    const { level, ms } = await sweep('endless-pings');
    // 16 MiB + 16 tokens × 16 KiB.
    expect(level.samples.map((s) => s.error)).toEqual(Array(2).fill('the endpoint sent over 17039360 bytes for max_tokens 16'));
    expect(ms).toBeLessThan(20_000);
  });

  it('refuses an absurd chunk size, ignores absurd usage figures and survives invalid UTF-8', async () => {
    const huge = (await sweep('huge-chunk')).level;
    expect(huge.samples.every((s) => s.error === 'malformed chunk size')).toBe(true);
    const usage = (await sweep('absurd-usage')).level;
    expect(usage.samples.map((s) => [s.error, s.outputTokens, s.tokensCounted, s.inputTokens])).toEqual([[null, 3, true, null], [null, 3, true, null]]);
    expect(Number.isFinite(usage.metrics.outputTokensPerSecond)).toBe(true);
    expect(usage.metrics.inputTokensPerSecond).toBe(0);
    const utf8 = (await sweep('bad-utf8')).level;
    expect(utf8.samples.map((s) => [s.error, s.outputTokens])).toEqual([[null, 1], [null, 1]]);
    // Every sample of these runs encodes (nothing non-finite reaches the stored JSON).
    expect(encodeSamples([{ concurrency: 2, requestRate: null, samples: usage.samples }]).length).toBeGreaterThan(0);
  });

  it('leaves no connection open once the sweep returns', async () => {
    await sweep('endless-tokens');
    for (let i = 0; i < 50 && server.open() > 0; i += 1) await new Promise((r) => setTimeout(r, 20));
    expect(server.open()).toBe(0);
  });
});
