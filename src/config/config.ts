import path from 'node:path';

/** The one place that reads process.env. Everything else receives a frozen Config. */
export interface Config {
  readonly env: 'development' | 'test' | 'production';
  readonly host: string;
  readonly port: number;
  readonly logLevel: string;
  readonly database: {
    /** Unset means: start an embedded PostgreSQL under `embeddedDataDir`. */
    readonly url: string | null;
    readonly embeddedDataDir: string;
    readonly embeddedPort: number;
  };
  readonly auth: {
    readonly jwtSecret: string | null;
    readonly jwksUrl: string | null;
    readonly issuer: string;
    readonly audience: string;
    /** True when the secret is the well-known development default. */
    readonly usingDevSecret: boolean;
  };
  readonly limits: {
    readonly maxPageSize: number;
  };
  readonly hub: {
    /** HF_ENDPOINT, the convention of the hub's own clients. */
    readonly endpoint: string;
    readonly token: string | null;
  };
  readonly imports: {
    /** Absolute, resolved roots a DISK import may read from; empty refuses DISK imports. */
    readonly diskRoots: readonly string[];
    /** Files of one import downloaded at once (IMPORT_CONCURRENCY). */
    readonly concurrency: number;
    /** A source that sends nothing for this long is dropped and resumed (IMPORT_IDLE_TIMEOUT_MS). */
    readonly idleTimeoutMs: number;
  };
  /** How often the worker settles operations whose workflow closed without settling (RECONCILE_INTERVAL_MS, 0 = off). */
  readonly reconcileIntervalMs: number;
  readonly artifacts: {
    readonly store: 'fs' | 's3';
    readonly dir: string;
    /** Local scratch for partial downloads; resumed from after a worker restart. */
    readonly stagingDir: string;
    readonly s3: { readonly endpoint: string | null; readonly bucket: string; readonly region: string; readonly forcePathStyle: boolean };
  };
  readonly cacheDir: string;
  readonly temporal: {
    /** Unset: start a Temporal dev server (temporal server start-dev). */
    readonly address: string | null;
    readonly namespace: string;
    readonly taskQueue: string;
    readonly cliPath: string | null;
    readonly devPort: number;
    readonly devUiPort: number;
    readonly devDbFile: string;
  };
  readonly gpuCatalog: readonly { readonly name: string; readonly memoryGb: number }[];
}

export const DEV_JWT_SECRET = 'modelhub-local-dev-secret-do-not-use-in-production';

export class ConfigError extends Error {}

type Env = Readonly<Record<string, string | undefined>>;

function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

function optional(env: Env, name: string): string | null {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? null : raw.trim();
}

function artifactStore(raw: string | null): 'fs' | 's3' {
  if (raw === null || raw === 'fs' || raw === 's3') return raw ?? 'fs';
  throw new ConfigError(`ARTIFACT_STORE must be fs or s3, got "${raw}"`);
}

function nodeEnv(env: Env): Config['env'] {
  const raw = env.NODE_ENV ?? 'development';
  if (raw === 'development' || raw === 'test' || raw === 'production') return raw;
  throw new ConfigError(`NODE_ENV must be development, test or production, got "${raw}"`);
}

export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const mode = nodeEnv(env);
  const jwksUrl = optional(env, 'JWT_JWKS_URL');
  const explicitSecret = optional(env, 'JWT_SECRET');
  if (mode === 'production' && !explicitSecret && !jwksUrl) {
    // The dev secret is public; refusing to start beats accepting forged tokens.
    throw new ConfigError('JWT_SECRET or JWT_JWKS_URL must be set when NODE_ENV=production');
  }
  if (explicitSecret !== null && explicitSecret.length < 32) {
    throw new ConfigError('JWT_SECRET must be at least 32 characters (HS256 key strength)');
  }
  const jwtSecret = explicitSecret ?? (jwksUrl ? null : DEV_JWT_SECRET);
  const config: Config = {
    env: mode,
    host: optional(env, 'HOST') ?? '127.0.0.1',
    port: intVar(env, 'PORT', 4000, 0, 65535),
    logLevel: optional(env, 'LOG_LEVEL') ?? (mode === 'test' ? 'warn' : 'info'),
    database: {
      url: optional(env, 'DATABASE_URL'),
      embeddedDataDir: path.resolve(cwd, optional(env, 'EMBEDDED_PG_DIR') ?? '.data/postgres'),
      embeddedPort: intVar(env, 'EMBEDDED_PG_PORT', 54329, 1024, 65535),
    },
    auth: {
      jwtSecret,
      jwksUrl,
      issuer: optional(env, 'JWT_ISSUER') ?? 'modelhub',
      audience: optional(env, 'JWT_AUDIENCE') ?? 'modelhub',
      usingDevSecret: jwtSecret === DEV_JWT_SECRET,
    },
    limits: {
      maxPageSize: intVar(env, 'MAX_PAGE_SIZE', 100, 1, 1000),
    },
    hub: {
      endpoint: (optional(env, 'HF_ENDPOINT') ?? 'https://huggingface.co').replace(/\/+$/, ''),
      token: optional(env, 'HF_TOKEN'),
    },
    imports: {
      diskRoots: (optional(env, 'DISK_IMPORT_ROOTS') ?? '')
        .split(':')
        .filter(Boolean)
        .map((root) => path.resolve(cwd, root)),
      concurrency: intVar(env, 'IMPORT_CONCURRENCY', 4, 1, 64),
      idleTimeoutMs: intVar(env, 'IMPORT_IDLE_TIMEOUT_MS', 60_000, 1000, 3_600_000),
    },
    reconcileIntervalMs: intVar(env, 'RECONCILE_INTERVAL_MS', 60_000, 0, 86_400_000),
    artifacts: {
      store: artifactStore(optional(env, 'ARTIFACT_STORE')),
      dir: path.resolve(cwd, optional(env, 'ARTIFACT_DIR') ?? '.data/artifacts'),
      stagingDir: path.resolve(cwd, optional(env, 'STAGING_DIR') ?? '.data/staging'),
      s3: {
        endpoint: optional(env, 'S3_ENDPOINT'),
        bucket: optional(env, 'S3_BUCKET') ?? 'modelhub-artifacts',
        region: optional(env, 'S3_REGION') ?? 'us-east-1',
        forcePathStyle: (optional(env, 'S3_FORCE_PATH_STYLE') ?? 'true') !== 'false',
      },
    },
    cacheDir: path.resolve(cwd, optional(env, 'CACHE_DIR') ?? '.data/cache'),
    temporal: {
      address: optional(env, 'TEMPORAL_ADDRESS'),
      namespace: optional(env, 'TEMPORAL_NAMESPACE') ?? 'default',
      taskQueue: optional(env, 'TEMPORAL_TASK_QUEUE') ?? 'modelhub-onboarding',
      cliPath: optional(env, 'TEMPORAL_CLI_PATH'),
      devPort: intVar(env, 'TEMPORAL_DEV_PORT', 7233, 1024, 65535),
      devUiPort: intVar(env, 'TEMPORAL_DEV_UI_PORT', 8233, 1024, 65535),
      devDbFile: path.resolve(cwd, optional(env, 'TEMPORAL_DEV_DB') ?? '.data/temporal.db'),
    },
    gpuCatalog: gpuCatalog(optional(env, 'GPU_CATALOG')),
  };
  return deepFreeze(config);
}

function gpuCatalog(raw: string | null): { name: string; memoryGb: number }[] {
  const spec = raw ?? 'L4:24,A100-80GB:80,H100-80GB:80,H200:141';
  return spec.split(',').map((entry) => {
    const [name, memory] = entry.split(':').map((part) => part.trim());
    const memoryGb = Number(memory);
    if (!name || !Number.isFinite(memoryGb) || memoryGb <= 0) {
      throw new ConfigError(`GPU_CATALOG entries must look like NAME:MEMORY_GB, got "${entry}"`);
    }
    return { name, memoryGb };
  });
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (child !== null && typeof child === 'object') deepFreeze(child as object);
  }
  return Object.freeze(value);
}
