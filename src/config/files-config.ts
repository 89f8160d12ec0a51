import path from 'node:path';
import { ConfigError, type Env, intVar, optional } from './env-vars';


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
  /** Direct uploads to an S3 store: how long each presigned part URL lives (DIRECT_UPLOAD_TTL_S; minutes, not hours). */
  readonly directUploadTtlSeconds: number;
  /** A download whose client takes no byte for this long is cut; clients resume with Range (DOWNLOAD_IDLE_TIMEOUT_MS, 2 min). */
  readonly downloadIdleTimeoutMs: number;
}

export function loadFilesConfig(env: Env, stagingDir: string, cwd: string): FilesConfig {
  const publicUrl = optional(env, 'PUBLIC_URL');
  if (publicUrl !== null && !/^https?:\/\/[^\s]+$/.test(publicUrl)) throw new ConfigError(`PUBLIC_URL must be an http(s) URL, got "${publicUrl}"`);
  const protectedAliases = (optional(env, 'PROTECTED_ALIASES') ?? 'production').split(',').map((a) => a.trim().toLowerCase()).filter(Boolean);
  return {
    uploadDir: path.resolve(cwd, optional(env, 'UPLOAD_DIR') ?? path.join(stagingDir, 'uploads')),
    uploadMaxBytes: intVar(env, 'UPLOAD_MAX_BYTES', 1024 ** 4, 1, Number.MAX_SAFE_INTEGER),
    uploadExpiryMs: intVar(env, 'UPLOAD_EXPIRY_MS', 24 * 3_600_000, 60_000, 30 * 24 * 3_600_000),
    uploadTokenTtlSeconds: intVar(env, 'UPLOAD_TOKEN_TTL_S', 1800, 10, 86_400),
    protectedAliases,
    publicUrl: publicUrl?.replace(/\/+$/, '') ?? null,
    presignTtlSeconds: intVar(env, 'DOWNLOAD_PRESIGN_TTL_S', 300, 0, 7 * 86_400),
    directUploadTtlSeconds: intVar(env, 'DIRECT_UPLOAD_TTL_S', 900, 60, 3600),
    downloadIdleTimeoutMs: intVar(env, 'DOWNLOAD_IDLE_TIMEOUT_MS', 120_000, 1000, 3_600_000),
  };
}
