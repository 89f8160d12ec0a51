import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { appendLockHeld, tryAppendLock } from '../../../src/storage/append-lock';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'append-lock-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

test('one holder at a time; released, it can be taken again', async () => {
  const part = path.join(dir, 'a.part');
  const release = await tryAppendLock(part, 60_000);
  expect(release).not.toBeNull();
  expect(await readFile(`${part}.lock`, 'utf8')).toBe(`${os.hostname()} ${process.pid}\n`);
  expect(await tryAppendLock(part, 60_000)).toBeNull();
  await release!();
  expect(await appendLockHeld(part, 60_000)).toBe(false);
  const again = await tryAppendLock(part, 60_000);
  expect(again).not.toBeNull();
  await again!();
});

test('a live process of this host holds it; a dead one left it to be taken over', async () => {
  const part = path.join(dir, 'b.part');
  await writeFile(`${part}.lock`, `${os.hostname()} ${process.ppid}\n`); // the jest runner: alive
  expect(await appendLockHeld(part, 60_000)).toBe(true);
  expect(await tryAppendLock(part, 60_000)).toBeNull();
  const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim();
  await writeFile(`${part}.lock`, `${os.hostname()} ${dead}\n`);
  expect(await appendLockHeld(part, 60_000)).toBe(false);
  const taken = await tryAppendLock(part, 60_000);
  expect(taken).not.toBeNull();
  await taken!();
});

test("another host's lock is held until it is older than the stale bound", async () => {
  const part = path.join(dir, 'c.part');
  await writeFile(`${part}.lock`, `some-other-host 1\n`);
  expect(await tryAppendLock(part, 60_000)).toBeNull();
  const old = new Date(Date.now() - 120_000);
  await utimes(`${part}.lock`, old, old);
  const taken = await tryAppendLock(part, 60_000);
  expect(taken).not.toBeNull();
  await taken!();
});
