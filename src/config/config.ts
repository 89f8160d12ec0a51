import os from 'node:os';
import path from 'node:path';
import { apiProcesses } from './api-processes';
import { ConfigError, type Env, intVar, optional } from './env-vars';
import { type EvalConfig, loadEvalConfig } from './eval-config';
import { type FilesConfig, loadFilesConfig } from './files-config';
import { loadReportedScoresConfig, type ReportedScoresConfig } from './reported-scores-config';
import { loadObservabilityConfig, type ObservabilityConfig } from './observability-config';
import { loadScanConfig, type ScanConfig } from './scan-config';
import { loadWebhooksConfig, type WebhooksConfig } from './webhooks-config';

/** The one place that reads process.env. Everything else receives a frozen Config. */
export interface Config {
  readonly env: 'development' | 'test' | 'production';
  readonly host: string;
  readonly port: number;
  /** A connection silent this long (no byte either way) is closed; a request body may otherwise take as long as it needs (HTTP_IDLE_TIMEOUT_MS). */
  readonly httpIdleTimeoutMs: number;
  readonly logLevel: string;
  /** `pretty` (human-readable) or `json` (one JSON object a line); LOG_FORMAT, default pretty on a terminal outside production. */
  readonly logFormat: 'pretty' | 'json';
  /**
   * API processes `npm start` runs on the one port (API_PROCESSES: a number, or `auto` = the host's available
   * parallelism; default 1, no cluster primary). See src/api-cluster.ts.
   */
  readonly apiProcesses: number;
  /** SIGTERM/SIGINT: how long in-flight requests and activities get before the process exits anyway (SHUTDOWN_TIMEOUT_MS). */
  readonly shutdownTimeoutMs: number;
  readonly database: {
    /** Unset means: start an embedded PostgreSQL under `embeddedDataDir`. */
    readonly url: string | null;
    readonly embeddedDataDir: string;
    readonly embeddedPort: number;
    /**
     * MIGRATE_ON_START (default true): apply pending migrations at start under an advisory lock. A scaled-out
     * deployment sets it false on every replica and runs `npm run migrate` once per rollout (the Helm chart's
     * migrate job); the replicas then wait for the schema instead of migrating it.
     */
    readonly migrateOnStart: boolean;
  };
  readonly auth: {
    readonly jwtSecret: string | null;
    readonly jwksUrl: string | null;
    readonly issuer: string;
    readonly audience: string;
    /** True when the secret is the well-known development default. */
    readonly usingDevSecret: boolean;
    /** Longest `exp - iat` accepted (TOKEN_MAX_LIFETIME_S); a token without `exp` is refused. */
    readonly maxTokenLifetimeSeconds: number;
    /** Clock skew tolerated on `iat` (TOKEN_CLOCK_SKEW_S): a token issued further ahead is refused. */
    readonly clockSkewSeconds: number;
  };
  readonly limits: {
    readonly maxPageSize: number;
    /** Default and largest `first` of nested lists (Model.versions, Model.operations, transitions, …). */
    readonly nestedListLimit: number;
    /** Default and largest `first` of Version.files (a repository may hold thousands of files). */
    readonly filesListLimit: number;
    /** Messages one subscription holds for a socket that does not take them; then it keeps the newest states. */
    readonly subscriberQueue: number;
    /** Subscriptions one graphql-ws connection may hold at once (live and being set up). */
    readonly subscriptionsPerSocket: number;
  };
  readonly query: QueryLimits;
  readonly urlImports: {
    /** Hosts and CIDRs a URL import may reach although they are loopback, private or link-local. */
    readonly allow: readonly string[];
    readonly maxRedirects: number;
    /** Key material sealing URL credentials (SECRETS_KEY; defaults to JWT_SECRET); null refuses such URLs. */
    readonly secretsKey: string | null;
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
    /**
     * How long an unreachable external source (the hub, a URL) is retried before the import fails with the cause
     * (EXTERNAL_SOURCE_RETRY_BUDGET_MS); our own services are retried without a cap.
     */
    readonly sourceRetryBudgetMs: number;
  };
  /** How often the worker settles operations whose workflow closed without settling (RECONCILE_INTERVAL_MS, 0 = off). */
  readonly reconcileIntervalMs: number;
  readonly artifacts: {
    readonly store: 'fs' | 's3';
    readonly dir: string;
    /** Local scratch for partial downloads; resumed from after a worker restart. */
    readonly stagingDir: string;
    readonly s3: { readonly endpoint: string | null; readonly bucket: string; readonly region: string; readonly forcePathStyle: boolean };
    /** Folders under which global admins may register filesystem stores (STORE_FS_ROOTS, colon-separated; empty = none). */
    readonly storeFsRoots: readonly string[];
    /** Hosts or CIDRs an S3 store's endpoint may be besides public addresses (STORE_ENDPOINT_ALLOW, comma-separated). */
    readonly storeEndpointAllow: readonly string[];
  };
  readonly cacheDir: string;
  /** The built web console served at /console/ (CONSOLE_DIR, default console/dist: `npm run console:build`). */
  readonly consoleDir: string;
  /** GraphiQL (the console build's explorer.html) for a browser's GET /graphql (GRAPHQL_EXPLORER; off in production by default). */
  readonly graphqlExplorer: boolean;
  /** Evaluation datasets (JSONL) the built-in runners read (EVAL_DATASETS_DIR). */
  readonly evalDatasetsDir: string;
  /** Where hf://datasets/… files are kept by commit, in the hub cache layout (EVAL_HUB_CACHE_DIR). */
  readonly evalHubCacheDir: string;
  /** The judge endpoint (EVAL_JUDGE_*) and the lm-evaluation-harness adapter (LM_EVAL_*); see eval-config.ts. */
  readonly evaluation: EvalConfig;
  /** Storage housekeeping: blob garbage collection (a Temporal schedule) and staging left by dead attempts. */
  readonly gc: {
    /** How often the blob collector runs (BLOB_GC_INTERVAL_MS, 0 = no schedule). */
    readonly blobIntervalMs: number;
    /** An unreferenced blob is kept this long after it was last written or reused (BLOB_GC_GRACE_MS). */
    readonly blobGraceMs: number;
    /** Staging files untouched this long and not locked are removed (STAGING_GRACE_MS). */
    readonly stagingGraceMs: number;
    /** How often abandoned direct uploads are swept (UPLOAD_SWEEP_INTERVAL_MS, 0 = no schedule). */
    readonly uploadSweepIntervalMs: number;
    /** An upload or LFS ticket never completed is swept this long after it expired (UPLOAD_SWEEP_GRACE_MS). */
    readonly uploadSweepGraceMs: number;
  };
  readonly temporal: {
    /** Unset: start a Temporal dev server (temporal server start-dev). */
    readonly address: string | null;
    readonly namespace: string;
    readonly taskQueue: string;
    readonly cliPath: string | null;
    readonly devPort: number;
    readonly devUiPort: number;
    readonly devDbFile: string;
    /** Project-local folder the Temporal CLI is built into when none is found (TOOLS_DIR). */
    readonly toolsDir: string;
    /**
     * This worker host's name (WORKER_HOST_ID, default the machine's hostname). Work that needs bytes on this
     * host's disk (local caches) runs on its own task queue, `<taskQueue>@<hostId>`.
     */
    readonly hostId: string;
  };
  readonly gpuCatalog: readonly { readonly name: string; readonly memoryGb: number }[];
  /** clamd (CLAMD_*) and the rescan schedule; see scan-config.ts. */
  readonly scanning: ScanConfig;
  /** Uploads, downloads and aliases (UPLOAD_*, PROTECTED_ALIASES, PUBLIC_URL, …); see files-config.ts. */
  readonly files: FilesConfig;
  /** The schedule refreshing REPORTED scores from upstream model cards (REPORTED_SCORES_*); see reported-scores-config.ts. */
  readonly reportedScores: ReportedScoresConfig;
  /** /metrics protection, the worker's metrics port, OpenTelemetry traces (METRICS_*, OTEL_*); see observability-config.ts. */
  readonly observability: ObservabilityConfig;
  /**
   * The registry's signing key (SIGNING_KEY_FILE, an ECDSA P-256 private key PEM). Unset: a key generated once under
   * `.data/signing/` (each API host would make its own: set the file in production).
   */
  readonly signing: { readonly keyFile: string; readonly generate: boolean };
  readonly webhooks: WebhooksConfig;
}

export const DEV_JWT_SECRET = 'modelhub-local-dev-secret-do-not-use-in-production';

export { ConfigError };

function hostId(value: string): string {
  if (!/^[\w.-]{1,100}$/.test(value)) throw new ConfigError(`WORKER_HOST_ID must be 1-100 letters, digits, ".", "_" or "-" (got ${JSON.stringify(value.slice(0, 40))})`);
  return value;
}

/** What one GraphQL request may ask for; each limit answers its own extensions.code when exceeded. */
export interface QueryLimits {
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxTokens: number;
  readonly maxDirectives: number;
  readonly maxCost: number;
  readonly maxBodyBytes: number;
  /** Operations in one batched HTTP request; 1 turns batching off. */
  readonly maxBatch: number;
  readonly introspection: boolean;
  readonly fieldSuggestions: boolean;
}

function boolVar(env: Env, name: string, fallback: boolean): boolean {
  const raw = optional(env, name);
  if (raw === null) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function listVar(env: Env, name: string): string[] {
  return (optional(env, name) ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
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

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

function logFormat(raw: string | null, mode: Config['env'], isTty: boolean): Config['logFormat'] {
  if (raw === 'pretty' || raw === 'json') return raw;
  if (raw !== null) throw new ConfigError(`LOG_FORMAT must be pretty or json, got "${raw}"`);
  // Machines read production logs; people read a terminal.
  return isTty && mode !== 'production' ? 'pretty' : 'json';
}

export function loadConfig(env: Env = process.env, cwd: string = process.cwd(), isTty: boolean = process.stdout.isTTY === true): Config {
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
    httpIdleTimeoutMs: intVar(env, 'HTTP_IDLE_TIMEOUT_MS', 120_000, 1000, 3_600_000),
    logLevel: optional(env, 'LOG_LEVEL') ?? (mode === 'test' ? 'warn' : 'info'),
    logFormat: logFormat(optional(env, 'LOG_FORMAT'), mode, isTty),
    apiProcesses: apiProcesses(env),
    shutdownTimeoutMs: intVar(env, 'SHUTDOWN_TIMEOUT_MS', 30_000, 1000, 3_600_000),
    database: {
      url: optional(env, 'DATABASE_URL'),
      embeddedDataDir: path.resolve(cwd, optional(env, 'EMBEDDED_PG_DIR') ?? '.data/postgres'),
      embeddedPort: intVar(env, 'EMBEDDED_PG_PORT', 54329, 1024, 65535),
      migrateOnStart: boolVar(env, 'MIGRATE_ON_START', true),
    },
    auth: {
      jwtSecret,
      jwksUrl,
      issuer: optional(env, 'JWT_ISSUER') ?? 'modelhub',
      audience: optional(env, 'JWT_AUDIENCE') ?? 'modelhub',
      usingDevSecret: jwtSecret === DEV_JWT_SECRET,
      maxTokenLifetimeSeconds: intVar(env, 'TOKEN_MAX_LIFETIME_S', 86_400, 60, 31_536_000),
      clockSkewSeconds: intVar(env, 'TOKEN_CLOCK_SKEW_S', 60, 0, 3600),
    },
    limits: {
      maxPageSize: intVar(env, 'MAX_PAGE_SIZE', 100, 1, 1000),
      nestedListLimit: intVar(env, 'NESTED_LIST_LIMIT', 100, 1, 10_000),
      filesListLimit: intVar(env, 'FILES_LIST_LIMIT', 10_000, 1, 1_000_000),
      subscriberQueue: intVar(env, 'SUBSCRIBER_QUEUE_LIMIT', 32, 1, 10_000),
      subscriptionsPerSocket: intVar(env, 'SUBSCRIPTIONS_PER_SOCKET', 100, 1, 10_000),
    },
    query: queryLimits(env, mode),
    urlImports: {
      allow: listVar(env, 'URL_IMPORT_ALLOW'),
      maxRedirects: intVar(env, 'URL_IMPORT_MAX_REDIRECTS', 5, 0, 20),
      secretsKey: secretsKey(env, jwtSecret),
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
      sourceRetryBudgetMs: intVar(env, 'EXTERNAL_SOURCE_RETRY_BUDGET_MS', 900_000, 1000, 604_800_000),
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
      storeFsRoots: (optional(env, 'STORE_FS_ROOTS') ?? '')
        .split(':')
        .filter(Boolean)
        .map((root) => path.resolve(cwd, root)),
      storeEndpointAllow: listVar(env, 'STORE_ENDPOINT_ALLOW'),
    },
    cacheDir: path.resolve(cwd, optional(env, 'CACHE_DIR') ?? '.data/cache'),
    consoleDir: path.resolve(cwd, optional(env, 'CONSOLE_DIR') ?? 'console/dist'),
    // A page that sends queries with a pasted token is a developer's tool; production turns it on on purpose.
    graphqlExplorer: boolVar(env, 'GRAPHQL_EXPLORER', mode !== 'production'),
    evalDatasetsDir: path.resolve(cwd, optional(env, 'EVAL_DATASETS_DIR') ?? '.data/datasets'),
    evalHubCacheDir: path.resolve(cwd, optional(env, 'EVAL_HUB_CACHE_DIR') ?? '.data/hub-datasets'),
    evaluation: loadEvalConfig(env, cwd),
    gc: {
      blobIntervalMs: intVar(env, 'BLOB_GC_INTERVAL_MS', 6 * HOUR_MS, 0, 30 * DAY_MS),
      blobGraceMs: intVar(env, 'BLOB_GC_GRACE_MS', DAY_MS, 0, 365 * DAY_MS),
      stagingGraceMs: intVar(env, 'STAGING_GRACE_MS', DAY_MS, 60_000, 365 * DAY_MS),
      uploadSweepIntervalMs: intVar(env, 'UPLOAD_SWEEP_INTERVAL_MS', HOUR_MS, 0, 30 * DAY_MS),
      uploadSweepGraceMs: intVar(env, 'UPLOAD_SWEEP_GRACE_MS', HOUR_MS, 0, 30 * DAY_MS),
    },
    temporal: {
      address: optional(env, 'TEMPORAL_ADDRESS'),
      namespace: optional(env, 'TEMPORAL_NAMESPACE') ?? 'default',
      taskQueue: optional(env, 'TEMPORAL_TASK_QUEUE') ?? 'modelhub-onboarding',
      cliPath: optional(env, 'TEMPORAL_CLI_PATH'),
      devPort: intVar(env, 'TEMPORAL_DEV_PORT', 7233, 1024, 65535),
      devUiPort: intVar(env, 'TEMPORAL_DEV_UI_PORT', 8233, 1024, 65535),
      devDbFile: path.resolve(cwd, optional(env, 'TEMPORAL_DEV_DB') ?? '.data/temporal.db'),
      toolsDir: path.resolve(cwd, optional(env, 'TOOLS_DIR') ?? '.tools'),
      hostId: hostId(optional(env, 'WORKER_HOST_ID') ?? os.hostname()),
    },
    gpuCatalog: gpuCatalog(optional(env, 'GPU_CATALOG')),
    scanning: loadScanConfig(env, mode, cwd),
    files: loadFilesConfig(env, path.resolve(cwd, optional(env, 'STAGING_DIR') ?? '.data/staging'), cwd),
    reportedScores: loadReportedScoresConfig(env, mode),
    observability: loadObservabilityConfig(env),
    signing: signingConfig(env, cwd),
    webhooks: loadWebhooksConfig(env, mode),
  };
  return deepFreeze(config);
}

function signingConfig(env: Env, cwd: string): Config['signing'] {
  const file = optional(env, 'SIGNING_KEY_FILE');
  return file ? { keyFile: path.resolve(cwd, file), generate: false } : { keyFile: path.resolve(cwd, '.data/signing/registry-key.pem'), generate: true };
}

function secretsKey(env: Env, jwtSecret: string | null): string | null {
  const explicit = optional(env, 'SECRETS_KEY');
  if (explicit !== null && explicit.length < 32) throw new ConfigError('SECRETS_KEY must be at least 32 characters');
  return explicit ?? jwtSecret;
}

function queryLimits(env: Env, mode: Config['env']): QueryLimits {
  // Schema discovery helps while developing; in production it maps the attack surface for anyone.
  const discoverable = mode !== 'production';
  return {
    maxDepth: intVar(env, 'MAX_QUERY_DEPTH', 10, 2, 100),
    maxAliases: intVar(env, 'MAX_QUERY_ALIASES', 20, 0, 1000),
    maxTokens: intVar(env, 'MAX_QUERY_TOKENS', 2000, 100, 100_000),
    maxDirectives: intVar(env, 'MAX_QUERY_DIRECTIVES', 20, 0, 1000),
    maxCost: intVar(env, 'MAX_QUERY_COST', 20_000, 100, 10_000_000),
    maxBodyBytes: intVar(env, 'MAX_BODY_BYTES', 1_048_576, 1024, 104_857_600),
    maxBatch: intVar(env, 'MAX_BATCH_SIZE', 10, 1, 100),
    introspection: boolVar(env, 'GRAPHQL_INTROSPECTION', discoverable),
    fieldSuggestions: boolVar(env, 'GRAPHQL_FIELD_SUGGESTIONS', discoverable),
  };
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
