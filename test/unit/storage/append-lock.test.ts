import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { appendLockHeld, dropAppendLock, tryAppendLock } from '../../../src/storage/append-lock';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'append-lock-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const age = async (file: string, ms: number) => {
  const then = new Date(Date.now() - ms);
  await utimes(file, then, then);
};

test('one holder at a time; released, it can be taken again', async () => {
  const part = path.join(dir, 'a.part');
  const release = await tryAppendLock(part, 60_000);
  expect(release).not.toBeNull();
  expect(await readFile(`${part}.lock`, 'utf8')).toMatch(new RegExp(`^[0-9a-f-]{36} ${os.hostname()} ${process.pid}\n$`));
  expect(await tryAppendLock(part, 60_000)).toBeNull();
  expect(await appendLockHeld(part, 60_000)).toBe(true);
  await release!();
  expect(await appendLockHeld(part, 60_000)).toBe(false);
  const again = await tryAppendLock(part, 60_000);
  expect(again).not.toBeNull();
  await again!();
});

test('a holder that keeps appending renews its lease; one that stopped (died) leaves it to be taken over, whatever pid it names', async () => {
  const part = path.join(dir, 'b.part');
  const release = await tryAppendLock(part, 1500);
  await new Promise((resolve) => setTimeout(resolve, 3500)); // over two lease lengths: renewed meanwhile
  expect(await tryAppendLock(part, 1500)).toBeNull();
  await release!();
  // A restarted container's PID 1 names the same host and pid as the process that died holding it.
  await writeFile(`${part}.lock`, `3b8a0f0e-0000-4000-8000-000000000000 ${os.hostname()} ${process.pid}\n`);
  expect(await appendLockHeld(part, 60_000)).toBe(true);
  await age(`${part}.lock`, 61_000);
  expect(await appendLockHeld(part, 60_000)).toBe(false);
  const taken = await tryAppendLock(part, 60_000);
  expect(taken).not.toBeNull();
  await taken!();
});

test('a lock left empty (its holder died before writing it) is held while fresh, taken once expired', async () => {
  const part = path.join(dir, 'c.part');
  await writeFile(`${part}.lock`, '');
  expect(await tryAppendLock(part, 60_000)).toBeNull();
  await age(`${part}.lock`, 61_000);
  const taken = await tryAppendLock(part, 60_000);
  expect(taken).not.toBeNull();
  await taken!();
});

test('contenders for an expired lock: exactly one takes it, every time', async () => {
  const part = path.join(dir, 'd.part');
  for (let round = 0; round < 40; round++) {
    await writeFile(`${part}.lock`, `dead-lease some-other-host 1\n`);
    await age(`${part}.lock`, 120_000);
    const got = await Promise.all(Array.from({ length: 8 }, () => tryAppendLock(part, 60_000)));
    const winners = got.filter((release) => release !== null);
    expect([round, winners.length]).toEqual([round, 1]);
    await winners[0]!();
  }
});

test("a release never removes a lock another holder took over; dropping it removes any", async () => {
  const part = path.join(dir, 'e.part');
  const first = await tryAppendLock(part, 60_000);
  // Its lease expired under it (a stalled disk) and another process took it over.
  await age(`${part}.lock`, 61_000);
  const second = await tryAppendLock(part, 60_000);
  expect(second).not.toBeNull();
  await first!();
  expect(await appendLockHeld(part, 60_000)).toBe(true);
  await dropAppendLock(part);
  expect(await appendLockHeld(part, 60_000)).toBe(false);
  await second!();
});
