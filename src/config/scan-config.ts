import { ConfigError } from './config';

type Env = Readonly<Record<string, string | undefined>>;

/** Where clamd listens; null in ScanConfig means no clamd: the ClamAV part of every scan is SKIPPED. */
export interface ClamdConfig {
  /** CLAMD_SOCKET: a Unix socket path; wins over host/port. */
  readonly socket: string | null;
  readonly host: string | null;
  readonly port: number | null;
  /** CLAMD_TIMEOUT_MS: socket idle timeout; clamd is silent while it scans a large stream after its last chunk. */
  readonly timeoutMs: number;
}

export interface ScanConfig {
  readonly clamd: ClamdConfig | null;
  /** RESCAN_INTERVAL_MS: how often the schedule rescans versions scanned with older rules or signatures (0 = off). */
  readonly rescanIntervalMs: number;
  /** RESCAN_BATCH: versions one scheduled run starts rescans for at most. */
  readonly rescanBatch: number;
}

function value(env: Env, name: string): string | null {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? null : raw.trim();
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = value(env, name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  return n;
}

/** CLAMD_SOCKET, or CLAMD_HOST/CLAMD_PORT (either alone implies the other's default: 127.0.0.1, 3310). */
export function loadScanConfig(env: Env, mode: 'development' | 'test' | 'production'): ScanConfig {
  const socket = value(env, 'CLAMD_SOCKET');
  const host = value(env, 'CLAMD_HOST');
  const port = value(env, 'CLAMD_PORT') === null ? null : int(env, 'CLAMD_PORT', 3310, 1, 65535);
  const timeoutMs = int(env, 'CLAMD_TIMEOUT_MS', 300_000, 1000, 3_600_000);
  const clamd = socket || host || port !== null ? { socket, host: socket ? null : (host ?? '127.0.0.1'), port: socket ? null : (port ?? 3310), timeoutMs } : null;
  return {
    clamd,
    // Tests start workers per file on a shared Temporal server: a schedule per worker would outlive them.
    rescanIntervalMs: int(env, 'RESCAN_INTERVAL_MS', mode === 'test' ? 0 : 6 * 3_600_000, 0, 30 * 86_400_000),
    rescanBatch: int(env, 'RESCAN_BATCH', 100, 1, 10_000),
  };
}
