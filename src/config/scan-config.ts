import path from 'node:path';
import { ConfigError, type Env, intVar, optional } from './env-vars';

/**
 * What clamd's signature database is: OFFICIAL (ClamAV's signed databases), or TEST_ONLY (EICAR only, what
 * `npm run dev` falls back to offline). Verdicts from a TEST_ONLY database count as SKIPPED for the scan gate.
 */
export type ClamdSignatures = 'OFFICIAL' | 'TEST_ONLY';

/** Where clamd listens; null in ScanConfig means no clamd: the ClamAV part of every scan is SKIPPED. */
export interface ClamdConfig {
  /** CLAMD_SOCKET: a Unix socket path; wins over host/port. */
  readonly socket: string | null;
  readonly host: string | null;
  readonly port: number | null;
  /** CLAMD_TIMEOUT_MS: socket idle timeout; clamd is silent while it scans a large stream after its last chunk. */
  readonly timeoutMs: number;
  /** CLAMD_SIGNATURES: `official` (default) or `test-only`. */
  readonly signatures: ClamdSignatures;
}

/** How `npm run dev` starts a clamd of its own when none is configured (src/system/dev-clamd.ts). */
export interface DevClamdConfig {
  /** CLAMD_PATH: the clamd binary; unset: PATH, /usr/sbin, /usr/bin, then TOOLS_DIR/clamav. */
  readonly clamdPath: string | null;
  /** CLAMAV_DATABASE_DIR: the installed signature database used when it holds ClamAV's signatures. */
  readonly installedDatabaseDir: string;
  /** FRESHCLAM_TIMEOUT_MS: the one freshclam run's time bound (0 = do not try). */
  readonly freshclamTimeoutMs: number;
  /** CLAMD_DEV_DIR: freshclam's download, the test-only database and clamd.conf. */
  readonly dataDir: string;
  /** CLAMD_DEV_PORT (0 = any free port). */
  readonly port: number;
}

export interface ScanConfig {
  readonly clamd: ClamdConfig | null;
  /** RESCAN_INTERVAL_MS: how often the schedule rescans versions scanned with older rules or signatures (0 = off). */
  readonly rescanIntervalMs: number;
  /** RESCAN_BATCH: versions one scheduled run starts rescans for at most. */
  readonly rescanBatch: number;
  readonly dev: DevClamdConfig;
}

/** CLAMD_SOCKET, or CLAMD_HOST/CLAMD_PORT (either alone implies the other's default: 127.0.0.1, 3310). */
export function loadScanConfig(env: Env, mode: 'development' | 'test' | 'production', cwd = process.cwd()): ScanConfig {
  const socket = optional(env, 'CLAMD_SOCKET');
  const host = optional(env, 'CLAMD_HOST');
  const port = optional(env, 'CLAMD_PORT') === null ? null : intVar(env, 'CLAMD_PORT', 3310, 1, 65535);
  const timeoutMs = intVar(env, 'CLAMD_TIMEOUT_MS', 300_000, 1000, 3_600_000);
  const signatures = clamdSignatures(optional(env, 'CLAMD_SIGNATURES'));
  const clamd = socket || host || port !== null ? { socket, host: socket ? null : (host ?? '127.0.0.1'), port: socket ? null : (port ?? 3310), timeoutMs, signatures } : null;
  return {
    clamd,
    // Tests start workers per file on a shared Temporal server: a schedule per worker would outlive them.
    rescanIntervalMs: intVar(env, 'RESCAN_INTERVAL_MS', mode === 'test' ? 0 : 6 * 3_600_000, 0, 30 * 86_400_000),
    rescanBatch: intVar(env, 'RESCAN_BATCH', 100, 1, 10_000),
    dev: {
      clamdPath: optional(env, 'CLAMD_PATH'),
      installedDatabaseDir: path.resolve(cwd, optional(env, 'CLAMAV_DATABASE_DIR') ?? '/var/lib/clamav'),
      freshclamTimeoutMs: intVar(env, 'FRESHCLAM_TIMEOUT_MS', 120_000, 0, 3_600_000),
      dataDir: path.resolve(cwd, optional(env, 'CLAMD_DEV_DIR') ?? '.data/clamav'),
      port: intVar(env, 'CLAMD_DEV_PORT', 3311, 0, 65535),
    },
  };
}

function clamdSignatures(raw: string | null): ClamdSignatures {
  if (raw === null || raw.toLowerCase() === 'official') return 'OFFICIAL';
  if (raw.toLowerCase() === 'test-only') return 'TEST_ONLY';
  throw new ConfigError(`CLAMD_SIGNATURES must be "official" or "test-only", got ${JSON.stringify(raw.slice(0, 40))}`);
}
