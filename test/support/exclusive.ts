import { mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';

const LOCKS = path.resolve(__dirname, '../../.data/locks');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Holds a lock file across jest's worker processes until the returned release is called. Tests that measure time
 * (the load generator's schedules and latencies) and tests that take whole cores (a browser, the code sandbox, a
 * 200 MiB transfer) take the same one, so on a 2-core CI machine they never run side by side. A lock left by a
 * process that died is taken over.
 */
export async function exclusive(name: string, timeoutMs = 600_000): Promise<() => Promise<void>> {
  await mkdir(LOCKS, { recursive: true });
  const file = path.join(LOCKS, `${name}.lock`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(await readFile(file, 'utf8').catch(() => ''));
      if (holder > 0 && holder !== process.pid && !alive(holder)) {
        await rm(file, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${file} is still held by pid ${holder} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** In a test file: hold `exclusive(name)` from before its first hook to after its last (jest runs this file's hooks in order). */
export function takeTurns(name: string): void {
  let release: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    release = await exclusive(name);
  }, 600_000);
  afterAll(async () => {
    await release?.();
  });
}
