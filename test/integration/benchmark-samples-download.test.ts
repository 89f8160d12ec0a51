import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { Pool } from 'pg';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { createVersion, registerModel } from '../support/catalog-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';
import { Role } from '../../src/domain/auth/roles';

/**
 * The raw-samples download streamed from PostgreSQL in 1 MiB slices: bytes equal to what is stored across slice
 * boundaries, Range and If-None-Match as for model files, and a client that hangs up mid-body costs nothing.
 * The stored value is 2.5 MiB of random bytes (what a large run's gzip looks like to the server: incompressible).
 */
describe('GET /benchmarks/<id>/samples', () => {
  let t: TestApp;
  let token: string;
  let benchmarkId: string;
  const stored = randomBytes(2.5 * 1024 * 1024);
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

  beforeAll(async () => {
    t = await startTestApp({ env: { DOWNLOAD_IDLE_TIMEOUT_MS: '1500' } });
    token = await t.token(Role.VIEWER);
    benchmarkId = await storedRun(stored);
  });
  afterAll(async () => { await t?.stop(); });

  const get = (headers: Record<string, string> = {}, method = 'GET') =>
    fetch(`http://127.0.0.1:${t.app.port}/benchmarks/${benchmarkId}/samples`, { method, headers: { authorization: `Bearer ${token}`, ...headers } });

  it('stores samples out of line, uncompressed, so slices read only their own chunks', async () => {
    const [{ storage }] = (await t.dataSource.query(`SELECT attstorage AS storage FROM pg_attribute WHERE attrelid = 'benchmarks'::regclass AND attname = 'samples'`)) as { storage: string }[];
    expect(storage).toBe('e');
  });

  it('sends the whole value, byte for byte, across slice boundaries', async () => {
    const res = await get();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(stored.length));
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('etag')).toBe(`"samples-${benchmarkId}"`);
    expect(sha(Buffer.from(await res.arrayBuffer()))).toBe(sha(stored));
  });

  it('answers ranges (across a slice boundary, a suffix, a resume), 416 past the end, 304 for a known ETag, and HEAD', async () => {
    const MiB = 1024 * 1024;
    const across = await get({ range: `bytes=${MiB - 10}-${MiB + 9}` });
    expect(across.status).toBe(206);
    expect(across.headers.get('content-range')).toBe(`bytes ${MiB - 10}-${MiB + 9}/${stored.length}`);
    expect(Buffer.from(await across.arrayBuffer()).equals(stored.subarray(MiB - 10, MiB + 10))).toBe(true);
    const suffix = await get({ range: 'bytes=-7' });
    expect(Buffer.from(await suffix.arrayBuffer()).equals(stored.subarray(stored.length - 7))).toBe(true);
    const resume = await get({ range: `bytes=${2 * MiB + 1}-` });
    expect(sha(Buffer.from(await resume.arrayBuffer()))).toBe(sha(stored.subarray(2 * MiB + 1)));
    const past = await get({ range: `bytes=${stored.length}-` });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${stored.length}`);
    expect((await get({ 'if-none-match': `"samples-${benchmarkId}"` })).status).toBe(304);
    expect((await get({ 'if-none-match': '*' })).status).toBe(304);
    // If-Range with another validator: the whole value, not a slice of something else.
    expect((await get({ range: 'bytes=0-9', 'if-range': '"other"' })).status).toBe(200);
    const head = await get({}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(stored.length));
    expect((await head.arrayBuffer()).byteLength).toBe(0);
  });

  it('stops reading when a client hangs up mid-body, and keeps answering others', async () => {
    await new Promise<void>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: t.app.port, path: `/benchmarks/${benchmarkId}/samples`, headers: { authorization: `Bearer ${token}` } }, (res) => {
        res.once('data', () => { req.destroy(); resolve(); });
      });
      req.on('error', (error: NodeJS.ErrnoException) => { if (error.code !== 'ECONNRESET') reject(error); });
    });
    const after = await get({ range: 'bytes=0-3' });
    expect(after.status).toBe(206);
    expect(Buffer.from(await after.arrayBuffer()).equals(stored.subarray(0, 4))).toBe(true);
  });

  /** A run's id with `bytes` of random samples, under a model of its own. */
  async function storedRun(bytes: Buffer): Promise<string> {
    const model = await registerModel(t);
    const version = await createVersion(t, model.id, '1.0.0');
    const [{ id }] = (await t.dataSource.query(
      `INSERT INTO benchmarks (model_id, version_id, hardware_profile, recorded_by, samples) VALUES ($1, $2, '1xcpu test fp16', 'test', $3) RETURNING id`,
      [model.id, version.id, bytes],
    )) as { id: string }[];
    return id;
  }

  /**
   * Downloads a run's samples with node:http, pausing `pauseMs` after every chunk (a slow link), and hashes them;
   * `onHeaders` is called when the answer starts.
   */
  const download = (id: string, pauseMs = 0, onHeaders = () => undefined as void) => new Promise<string>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: t.app.port, path: `/benchmarks/${id}/samples`, headers: { authorization: `Bearer ${token}` } }, (res) => {
      onHeaders();
      const hash = createHash('sha256');
      res.on('data', (c: Buffer) => {
        hash.update(c);
        if (pauseMs) { res.pause(); setTimeout(() => res.resume(), pauseMs); }
      });
      res.on('end', () => resolve(hash.digest('hex')));
      res.on('error', reject);
    }).on('error', reject);
  });

  it('waits for a slow client slice after slice without piling listeners onto the response', async () => {
    const large = randomBytes(12 * 1024 * 1024);
    const id = await storedRun(large);
    // Every write of the download, as the server makes it: how many close and error listeners its response holds.
    const counts: number[] = [];
    const write = http.ServerResponse.prototype.write;
    const spy = jest.spyOn(http.ServerResponse.prototype, 'write').mockImplementation(function (this: http.ServerResponse, ...args: Parameters<typeof write>) {
      if (this.req.url === `/${id}/samples`) counts.push(this.listenerCount('close') + this.listenerCount('error'));
      return write.apply(this, args);
    });
    try {
      expect(await download(id, 2)).toBe(sha(large));
    } finally {
      spy.mockRestore();
    }
    expect(counts).toHaveLength(12);
    // One wait per slice the client was slow to take: a listener left behind by each would add up (the
    // MaxListenersExceededWarning a 12 MiB download printed).
    expect(Math.max(...counts)).toBe(counts[0]);
  });

  it('reads at most two slices at once, however many downloads run, so the API keeps its connections', async () => {
    const value = randomBytes(4 * 1024 * 1024);
    const id = await storedRun(value);
    // The app's own pool (5 connections in tests), once every download has begun (each reads the value's size
    // first, like any request): how many connections it has out, and how many queries wait for one.
    const pool = (t.dataSource.driver as PostgresDriver).master as Pool;
    const seen = { out: 0, waiting: 0, looks: 0 };
    let begun = 0;
    const watch = setInterval(() => {
      if (begun < 12) return;
      seen.out = Math.max(seen.out, pool.totalCount - pool.idleCount);
      seen.waiting = Math.max(seen.waiting, pool.waitingCount);
      seen.looks += 1;
    }, 1);
    try {
      const hashes = await Promise.all(Array.from({ length: 12 }, () => download(id, 0, () => { begun += 1; })));
      expect(new Set(hashes)).toEqual(new Set([sha(value)]));
    } finally {
      clearInterval(watch);
    }
    expect(seen.looks).toBeGreaterThan(10);
    expect(seen.out).toBeGreaterThan(0);
    // Uncapped, 12 downloads at full speed held all 5 connections with 7 more slice reads queued, and every query
    // of the API waited behind them (20 downloads: GraphQL p50 4 → 265 ms; 19 ms with the cap).
    expect(seen.out).toBeLessThanOrEqual(2);
    expect(seen.waiting).toBe(0);
  });

  it('cuts a download whose client stops reading (DOWNLOAD_IDLE_TIMEOUT_MS), so it resumes with Range instead of pinning the server', async () => {
    // 64 MiB: more than loopback's socket buffers can hold here (receive up to 32 MiB, send up to 4 MiB).
    const large = randomBytes(64 * 1024 * 1024);
    const id = await storedRun(large);
    // The client takes the first chunk, stops reading for twice the timeout, then reads what the server had sent.
    const received = await new Promise<Buffer>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: t.app.port, path: `/benchmarks/${id}/samples`, headers: { authorization: `Bearer ${token}` } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('data', () => { res.pause(); setTimeout(() => res.resume(), 3000); });
        res.on('error', () => undefined); // the cut shows as a reset or an early end
        res.on('close', () => resolve(Buffer.concat(chunks)));
      }).on('error', reject);
    });
    // Cut: a server still waiting would have sent the rest once the client read again.
    expect(received.length).toBeLessThan(large.length);
    expect(received.equals(large.subarray(0, received.length))).toBe(true);
    // The rest comes with a Range request, byte for byte.
    const rest = await fetch(`http://127.0.0.1:${t.app.port}/benchmarks/${id}/samples`, { headers: { authorization: `Bearer ${token}`, range: `bytes=${received.length}-` } });
    expect(rest.status).toBe(206);
    expect(sha(Buffer.concat([received, Buffer.from(await rest.arrayBuffer())]))).toBe(sha(large));
  });

  it('keeps a kept-alive connection usable after a download finished (no idle timer left on it)', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const fetchOnce = () => new Promise<number>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: t.app.port, path: `/benchmarks/${benchmarkId}/samples`, agent, headers: { authorization: `Bearer ${token}`, range: 'bytes=0-9' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      }).on('error', reject);
    });
    expect(await fetchOnce()).toBe(206);
    await new Promise((resolve) => setTimeout(resolve, 2500)); // longer than the idle timeout
    expect(await fetchOnce()).toBe(206); // same socket, not cut meanwhile
    agent.destroy();
  });

  it('cuts the body, never pads it, when the run is deleted during the download', async () => {
    // 16 MiB: more than loopback's socket buffers hold, so the server is still reading slices after the delete.
    const large = randomBytes(16 * 1024 * 1024);
    const id = await storedRun(large);
    const received = await new Promise<number>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: t.app.port, path: `/benchmarks/${id}/samples`, headers: { authorization: `Bearer ${token}` } }, (res) => {
        let bytes = 0;
        res.pause();
        // Delete the row while the client holds back: the next slice finds nothing and the body ends short.
        void t.dataSource.query(`DELETE FROM benchmarks WHERE id = $1`, [id]).then(() => res.resume());
        res.on('data', (c: Buffer) => { bytes += c.length; });
        res.on('error', () => undefined); // the cut shows as a reset; the byte count is what matters
        res.on('close', () => resolve(bytes));
      }).on('error', reject);
    });
    expect(received).toBeLessThan(large.length);
    expect((await fetch(`http://127.0.0.1:${t.app.port}/benchmarks/${id}/samples`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
  });
});
