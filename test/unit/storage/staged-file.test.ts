import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { GitBlobMismatchError } from '../../../src/domain/artifacts/checksum.errors';
import { type OpenedSource, stageFile, StagingBusyError, StalledSourceError } from '../../../src/storage/staged-file';

const gitBlobId = (data: Buffer) => createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'staged-file-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A source serving `data` from any offset in 4 KiB chunks; records the offsets it was opened at. */
function memorySource(data: Buffer, opened: number[] = []) {
  return async (offset: number): Promise<OpenedSource> => {
    opened.push(offset);
    const chunks = function* () {
      for (let at = offset; at < data.length; at += 4096) yield data.subarray(at, Math.min(at + 4096, data.length));
    };
    return { stream: Readable.from(chunks()), offset };
  };
}

/** A source that sends `data` up to `stopAt` and then stays silent (never ends, never errors). */
function stallingSource(data: Buffer, stopAt: number) {
  const streams: PassThrough[] = [];
  const open = async (offset: number): Promise<OpenedSource> => {
    const stream = new PassThrough();
    streams.push(stream);
    stream.write(data.subarray(offset, stopAt));
    return { stream, offset };
  };
  return { open, streams };
}

function options(name: string, data: Buffer, extra: Partial<Parameters<typeof stageFile>[0]> = {}) {
  return {
    name,
    stagingPath: path.join(dir, `${name}.part`),
    open: memorySource(data),
    expectedSize: data.length,
    expectedSha256: null,
    ...extra,
  };
}

describe('git blob id verification', () => {
  test('a file whose bytes match the listed git blob id is staged', async () => {
    const data = randomBytes(100_000);
    const blob = await stageFile(options('ok', data, { expectedGitBlobId: gitBlobId(data) }));
    expect(blob).toEqual({ sha256: sha256(data), size: data.length });
  });

  test('a mismatch rejects with GitBlobMismatchError and deletes the staged bytes', async () => {
    const data = randomBytes(10_000);
    const listed = gitBlobId(Buffer.concat([data.subarray(0, 9_999), Buffer.from([data[9_999] ^ 1])]));
    const staging = options('tampered', data, { expectedGitBlobId: listed });
    const failure = stageFile(staging);
    await expect(failure).rejects.toBeInstanceOf(GitBlobMismatchError);
    await expect(failure).rejects.toMatchObject({ code: 'BAD_USER_INPUT', details: { path: 'tampered', expected: listed, actual: gitBlobId(data) } });
    await expect(stat(staging.stagingPath)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('with no size known up front the blob id is still verified', async () => {
    const data = randomBytes(5_000);
    await expect(stageFile(options('sizeless', data, { expectedSize: null, expectedGitBlobId: gitBlobId(data) }))).resolves.toMatchObject({ size: 5_000 });
    await expect(stageFile(options('sizeless-bad', data, { expectedSize: null, expectedGitBlobId: 'f'.repeat(40) }))).rejects.toBeInstanceOf(GitBlobMismatchError);
  });

  test('a resume re-hashes the staged prefix for both sha256 and the git blob id', async () => {
    const data = randomBytes(300_000);
    const staging = options('resume', data, { expectedSha256: sha256(data), expectedGitBlobId: gitBlobId(data) });
    await writeFile(staging.stagingPath, data.subarray(0, 123_457));
    const opened: number[] = [];
    const blob = await stageFile({ ...staging, open: memorySource(data, opened) });
    expect(opened).toEqual([123_457]);
    expect(blob).toEqual({ sha256: sha256(data), size: data.length });
    expect((await readFile(staging.stagingPath)).equals(data)).toBe(true);
  });

  test('a resume over a corrupted prefix is caught by both hashes', async () => {
    const data = randomBytes(50_000);
    const staging = options('bad-prefix', data, { expectedGitBlobId: gitBlobId(data) });
    await writeFile(staging.stagingPath, randomBytes(20_000));
    await expect(stageFile(staging)).rejects.toBeInstanceOf(GitBlobMismatchError);
    const withSha = options('bad-prefix-sha', data, { expectedSha256: sha256(data) });
    await writeFile(withSha.stagingPath, randomBytes(20_000));
    await expect(stageFile(withSha)).rejects.toMatchObject({ name: 'ChecksumMismatchError' });
  });
});

describe('idle timeout', () => {
  test('a silent source is torn down with StalledSourceError; the next call resumes from the staged bytes', async () => {
    const data = randomBytes(200_000);
    const stalling = stallingSource(data, 70_000);
    const staging = options('stall', data, { expectedGitBlobId: gitBlobId(data), expectedSha256: sha256(data), open: stalling.open, idleTimeoutMs: 150 });
    const failure = stageFile(staging);
    await expect(failure).rejects.toBeInstanceOf(StalledSourceError);
    await expect(failure).rejects.not.toHaveProperty('code'); // not a DomainError: the activity retries it
    expect(stalling.streams[0].destroyed).toBe(true);
    expect((await stat(staging.stagingPath)).size).toBe(70_000);

    const opened: number[] = [];
    const blob = await stageFile({ ...staging, open: memorySource(data, opened) });
    expect(opened).toEqual([70_000]);
    expect(blob).toEqual({ sha256: sha256(data), size: data.length });
  });

  test('a source that never answers the open is also a stall', async () => {
    const data = randomBytes(1_000);
    const never = () => new Promise<OpenedSource>(() => undefined);
    await expect(stageFile(options('no-answer', data, { open: never, idleTimeoutMs: 100 }))).rejects.toBeInstanceOf(StalledSourceError);
  });

  test('a slow but steady source is not a stall', async () => {
    const data = randomBytes(20 * 1024);
    const slow = async (offset: number): Promise<OpenedSource> => ({ stream: Readable.from(trickle(data.subarray(offset), 1024, 30)), offset });
    await expect(stageFile(options('slow', data, { open: slow, idleTimeoutMs: 200 }))).resolves.toMatchObject({ size: data.length });
  });
});

async function* trickle(data: Buffer, chunk: number, delayMs: number) {
  for (let at = 0; at < data.length; at += chunk) {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    yield data.subarray(at, at + chunk);
  }
}

describe('heartbeat ticks', () => {
  test('ticks fire on a timer while a slow stream runs, with the bytes staged so far, and stop afterwards', async () => {
    const data = randomBytes(16 * 1024);
    const ticks: number[] = [];
    const slow = async (offset: number): Promise<OpenedSource> => ({ stream: Readable.from(trickle(data.subarray(offset), 1024, 40)), offset });
    await stageFile(options('ticks', data, { open: slow, tickMs: 50, onTick: (staged) => ticks.push(staged) }));
    expect(ticks.length).toBeGreaterThanOrEqual(5); // ~640 ms of transfer at one tick per 50 ms
    expect(ticks).toEqual([...ticks].sort((a, b) => a - b));
    expect(ticks.some((staged) => staged > 0 && staged < data.length)).toBe(true);
    const after = ticks.length;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(ticks.length).toBe(after);
  });

  test('ticks fire even while no bytes arrive at all', async () => {
    const data = randomBytes(1_000);
    const stalling = stallingSource(data, 0);
    const ticks: number[] = [];
    await expect(stageFile(options('silent', data, { open: stalling.open, idleTimeoutMs: 300, tickMs: 40, onTick: (staged) => ticks.push(staged) }))).rejects.toBeInstanceOf(StalledSourceError);
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    expect(new Set(ticks)).toEqual(new Set([0]));
  });
});

describe('staging lock', () => {
  const lockPath = (name: string) => path.join(dir, `${name}.part.lock`);

  test('a second concurrent stageFile on the same path gets StagingBusyError; the first completes and releases', async () => {
    const data = randomBytes(64 * 1024);
    const first = options('busy', data, { open: async (offset: number) => ({ stream: Readable.from(trickle(data.subarray(offset), 4096, 10)), offset }) });
    const running = stageFile(first);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const opened: number[] = [];
    await expect(stageFile({ ...first, open: memorySource(data, opened) })).rejects.toBeInstanceOf(StagingBusyError);
    expect(opened).toEqual([]); // it never touched the source or the file
    await expect(running).resolves.toEqual({ sha256: sha256(data), size: data.length });
    expect(await readdir(dir)).toEqual(['busy.part']); // lock released
  });

  test('the lock is released when staging fails', async () => {
    const data = randomBytes(1_000);
    await expect(stageFile(options('fails', data, { expectedSha256: 'a'.repeat(64) }))).rejects.toMatchObject({ name: 'ChecksumMismatchError' });
    const broken = async (): Promise<OpenedSource> => {
      throw new Error('connection refused');
    };
    await expect(stageFile(options('fails', data, { open: broken }))).rejects.toThrow('connection refused');
    expect(await readdir(dir)).toEqual([]);
  });

  test('a lock whose process is gone from this host is taken over', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    await writeFile(lockPath('dead'), JSON.stringify({ pid: dead, host: hostname(), token: 'x'.repeat(32) }));
    const data = randomBytes(2_000);
    await expect(stageFile(options('dead', data))).resolves.toMatchObject({ size: 2_000 });
    expect(await readdir(dir)).toEqual(['dead.part']);
  });

  test('a lock not refreshed within the staleness bound is taken over, even from another host', async () => {
    await writeFile(lockPath('stale'), JSON.stringify({ pid: 1, host: 'some-other-host', token: 'y'.repeat(32) }));
    const data = randomBytes(2_000);
    await expect(stageFile(options('stale', data))).rejects.toBeInstanceOf(StagingBusyError); // fresh: still live
    const old = new Date(Date.now() - 60_000);
    await utimes(lockPath('stale'), old, old);
    await expect(stageFile(options('stale', data))).resolves.toMatchObject({ size: 2_000 });
  });

  test('an attempt whose lock was taken over stops writing with StagingBusyError', async () => {
    const data = randomBytes(64 * 1024);
    const slow = async (offset: number): Promise<OpenedSource> => ({ stream: Readable.from(trickle(data.subarray(offset), 1024, 20)), offset });
    const running = stageFile(options('stolen', data, { open: slow, tickMs: 30 }));
    await new Promise((resolve) => setTimeout(resolve, 60));
    await writeFile(lockPath('stolen'), JSON.stringify({ pid: process.pid, host: hostname(), token: 'z'.repeat(32) }));
    await expect(running).rejects.toBeInstanceOf(StagingBusyError);
    // The usurper's lock is left alone.
    expect(JSON.parse(await readFile(lockPath('stolen'), 'utf8'))).toMatchObject({ token: 'z'.repeat(32) });
  });
});
