import { type Env, intVar, optional } from './env-vars';


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

/** CLAMD_SOCKET, or CLAMD_HOST/CLAMD_PORT (either alone implies the other's default: 127.0.0.1, 3310). */
export function loadScanConfig(env: Env, mode: 'development' | 'test' | 'production'): ScanConfig {
  const socket = optional(env, 'CLAMD_SOCKET');
  const host = optional(env, 'CLAMD_HOST');
  const port = optional(env, 'CLAMD_PORT') === null ? null : intVar(env, 'CLAMD_PORT', 3310, 1, 65535);
  const timeoutMs = intVar(env, 'CLAMD_TIMEOUT_MS', 300_000, 1000, 3_600_000);
  const clamd = socket || host || port !== null ? { socket, host: socket ? null : (host ?? '127.0.0.1'), port: socket ? null : (port ?? 3310), timeoutMs } : null;
  return {
    clamd,
    // Tests start workers per file on a shared Temporal server: a schedule per worker would outlive them.
    rescanIntervalMs: intVar(env, 'RESCAN_INTERVAL_MS', mode === 'test' ? 0 : 6 * 3_600_000, 0, 30 * 86_400_000),
    rescanBatch: intVar(env, 'RESCAN_BATCH', 100, 1, 10_000),
  };
}
