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
  };
  return deepFreeze(config);
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (child !== null && typeof child === 'object') deepFreeze(child as object);
  }
  return Object.freeze(value);
}
