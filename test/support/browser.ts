import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { type Browser, chromium } from 'playwright-core';

const ROOT = path.resolve(__dirname, '../..');
export const CONSOLE_SOURCES = path.join(ROOT, 'console');
export const CONSOLE_DIST = path.join(ROOT, 'console/dist');
export const SCREENSHOTS = path.join(ROOT, '.data/screenshots');

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

async function newestMtime(entry: string): Promise<number> {
  const info = await stat(entry);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const child of await readdir(entry)) if (child !== 'dist' && child !== 'node_modules') newest = Math.max(newest, await newestMtime(path.join(entry, child)));
  return newest;
}

/** A mkdir lock: two jest runs in one clone never build into the same folder at once. */
async function withBuildLock<T>(work: () => Promise<T>): Promise<T> {
  const lock = path.join(ROOT, '.data/console-build.lock');
  await mkdir(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      const age = Date.now() - (await stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > 120_000) await rm(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`console build lock ${lock} is held for too long`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/**
 * The console the tests drive is the one `npm run console:build` makes: built here when console/dist is missing or
 * older than console/ (sources, index.html, vite config) or package-lock.json. It is built beside the old one and
 * swapped in, so a server reading the old folder never sees a half-written one.
 */
export async function ensureConsoleBuilt(): Promise<string> {
  return withBuildLock(async () => {
    const built = existsSync(path.join(CONSOLE_DIST, 'index.html')) ? (await stat(path.join(CONSOLE_DIST, 'index.html'))).mtimeMs : 0;
    const sources = Math.max(await newestMtime(CONSOLE_SOURCES), (await stat(path.join(ROOT, 'package-lock.json'))).mtimeMs);
    if (built > sources) return CONSOLE_DIST;
    const next = `${CONSOLE_DIST}.next-${process.pid}`;
    // jest sets NODE_ENV=test, which would give React's development build.
    const vite = path.join(ROOT, 'node_modules/vite/bin/vite.js');
    if (!existsSync(vite)) throw new Error('vite is not installed: run "npm ci" (the console is built with vite)');
    await promisify(execFile)(process.execPath, [vite, 'build', '--config', path.join(CONSOLE_SOURCES, 'vite.config.mjs'), '--outDir', next, '--logLevel', 'warn'], { cwd: ROOT, timeout: 120_000, env: { ...process.env, NODE_ENV: 'production' } });
    const old = `${CONSOLE_DIST}.old-${process.pid}`;
    if (existsSync(CONSOLE_DIST)) await rename(CONSOLE_DIST, old);
    await rename(next, CONSOLE_DIST);
    await rm(old, { recursive: true, force: true });
    return CONSOLE_DIST;
  });
}

export function chromiumPath(): string {
  const found = [process.env.CHROMIUM_PATH, ...CANDIDATES].find((candidate): candidate is string => Boolean(candidate) && existsSync(candidate as string));
  if (!found) {
    throw new Error(
      'No Chromium found for the browser tests: install Debian\'s "chromium" package (apt-get install chromium; .ci/run does) ' +
        `or set CHROMIUM_PATH. Looked in: ${CANDIDATES.join(', ')}`,
    );
  }
  return found;
}

/**
 * Debian's Chromium driven by playwright-core. The machine's network is closed: the flags keep Chromium from trying
 * to reach Google's services (each attempt is refused, many at a time, at every start).
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-default-apps',
      '--disable-extensions',
    ],
  });
}

export async function screenshotPath(name: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  return path.join(SCREENSHOTS, `${name}.png`);
}
