import net from 'node:net';
import path from 'node:path';
import type { ClamdConfig, DevClamdConfig } from '../config/scan-config';
import { ensureClamd, startClamd } from './clamd-daemon';
import { chooseSignatureDatabase, type SignatureDatabase } from './clamd-signatures';

/** clamd's stream limit for `npm run dev`: what the format scanners and clamd both read whole. */
const DEV_STREAM_MAX_BYTES = 2000 * 1024 * 1024;

export type DevClamd =
  | { readonly running: true; readonly endpoint: ClamdConfig; readonly database: SignatureDatabase; readonly version: string; stop(): Promise<void> }
  | { readonly running: false; readonly reason: string };

/** The configured port when it is free, else any free one: a system clamd on it must not be mistaken for ours. */
async function portFor(wanted: number): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number | null>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(null));
      server.listen(port, '127.0.0.1', () => {
        const bound = (server.address() as net.AddressInfo).port;
        server.close(() => resolve(bound));
      });
    });
  return (wanted > 0 ? await tryListen(wanted) : null) ?? (await tryListen(0))!;
}

/**
 * `npm run dev` without CLAMD_*: a real clamd of its own on loopback, like its PostgreSQL and Temporal. Fails soft
 * (no clamd installed: the ClamAV part stays SKIPPED and the banner says why); a clamd that is found but does not
 * start is an error, as a broken PostgreSQL would be.
 */
export async function startDevClamd(dev: DevClamdConfig, toolsDir: string, notice: (line: string) => void): Promise<DevClamd> {
  const found = await ensureClamd({ explicitPath: dev.clamdPath, toolsDir }, notice);
  if (!found.binary) return { running: false, reason: found.reason };
  const binary = found.binary;
  if (dev.freshclamTimeoutMs > 0) notice(`looking for ClamAV signatures (freshclam gets at most ${Math.round(dev.freshclamTimeoutMs / 1000)} s)`);
  const database = await chooseSignatureDatabase({ installedDir: dev.installedDatabaseDir, dataDir: dev.dataDir, freshclamTimeoutMs: dev.freshclamTimeoutMs });
  const port = await portFor(dev.port);
  const clamd = await startClamd({ binary, databaseDir: database.dir, workDir: path.join(dev.dataDir, 'run'), port, streamMaxBytes: DEV_STREAM_MAX_BYTES, startTimeoutMs: 180_000 });
  const endpoint: ClamdConfig = {
    socket: null,
    host: clamd.host,
    port: clamd.port,
    timeoutMs: 300_000,
    signatures: database.source === 'TEST_ONLY' ? 'TEST_ONLY' : 'OFFICIAL',
  };
  return { running: true, endpoint, database, version: binary.version, stop: () => clamd.stop() };
}
