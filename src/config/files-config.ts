import path from 'node:path';
import { ConfigError } from './config';

type Env = Readonly<Record<string, string | undefined>>;

/** Uploads, downloads and aliases (read by config.ts, the one reader of the environment). */
export interface FilesConfig {
  /** Where resumable uploads keep their bytes until the last one arrives (UPLOAD_DIR, default STAGING_DIR/uploads). */
  readonly uploadDir: string;
  /** Largest file one upload may declare (UPLOAD_MAX_BYTES). */
  readonly uploadMaxBytes: number;
  /** An unfinished upload is forgotten this long after it was created (UPLOAD_EXPIRY_MS). */
  readonly uploadExpiryMs: number;
  /** Life of the version-scoped token `uploadCommand` hands out (UPLOAD_TOKEN_TTL_S, 30 minutes). */
  readonly uploadTokenTtlSeconds: number;
  /** Aliases only approvers move (PROTECTED_ALIASES, comma-separated, default `production`). */
  readonly protectedAliases: readonly string[];
  /** How clients reach this server, for generated commands (PUBLIC_URL, default http://HOST:PORT). */
  readonly publicUrl: string | null;
  /** S3 store: downloads answer 302 to a presigned URL valid this long (DOWNLOAD_PRESIGN_TTL_S; 0 streams through the API). */
  readonly presignTtlSeconds: number;
}

function value(env: Env, name: string): string | null {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? null : raw.trim();
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = value(env, name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  return n;
}

export function loadFilesConfig(env: Env, stagingDir: string, cwd: string): FilesConfig {
  const publicUrl = value(env, 'PUBLIC_URL');
  if (publicUrl !== null && !/^https?:\/\/[^\s]+$/.test(publicUrl)) throw new ConfigError(`PUBLIC_URL must be an http(s) URL, got "${publicUrl}"`);
  const protectedAliases = (value(env, 'PROTECTED_ALIASES') ?? 'production').split(',').map((a) => a.trim().toLowerCase()).filter(Boolean);
  return {
    uploadDir: path.resolve(cwd, value(env, 'UPLOAD_DIR') ?? path.join(stagingDir, 'uploads')),
    uploadMaxBytes: int(env, 'UPLOAD_MAX_BYTES', 1024 ** 4, 1, Number.MAX_SAFE_INTEGER),
    uploadExpiryMs: int(env, 'UPLOAD_EXPIRY_MS', 24 * 3_600_000, 60_000, 30 * 24 * 3_600_000),
    uploadTokenTtlSeconds: int(env, 'UPLOAD_TOKEN_TTL_S', 1800, 10, 86_400),
    protectedAliases,
    publicUrl: publicUrl?.replace(/\/+$/, '') ?? null,
    presignTtlSeconds: int(env, 'DOWNLOAD_PRESIGN_TTL_S', 300, 0, 7 * 86_400),
  };
}
