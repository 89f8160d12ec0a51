import type { Config } from './config/config';
import type { DevClamd } from './system/dev-clamd';

export interface DevBannerFacts {
  graphqlUrl: string;
  temporalUi: string | null;
  /** The clamd `npm run dev` started (or why none); null when CLAMD_* configures one. */
  clamd: DevClamd | null;
}

/** Which scanners are live: the format scanners always; ClamAV as configured, started here, or not at all. */
function scannerLines(config: Config, clamd: DevClamd | null): string[] {
  const format = '  Scanners     model-format scanners (pickle, zip, safetensors, gguf, keras, numpy, templates): live';
  const configured = config.scanning.clamd;
  if (configured && !clamd) {
    const where = configured.socket ?? `${configured.host}:${configured.port}`;
    const kind = configured.signatures === 'TEST_ONLY' ? ' (CLAMD_SIGNATURES=test-only: clean verdicts count as SKIPPED)' : '';
    return [format, `               ClamAV: live, the configured clamd at ${where}${kind}`];
  }
  if (!clamd?.running) {
    return [format, `               ClamAV: NOT running, ${clamd?.reason ?? 'no clamd'}; every scan's ClamAV part is SKIPPED`];
  }
  const at = `${clamd.version} on ${clamd.endpoint.host}:${clamd.endpoint.port}`;
  if (clamd.database.source === 'TEST_ONLY') {
    return [
      format,
      `               ClamAV: live, ${at}, with a ${clamd.database.note}.`,
      '               It catches the EICAR test file only: clean verdicts count as SKIPPED for the scan gate.',
    ];
  }
  return [format, `               ClamAV: live, ${at}, with ${clamd.database.note}`];
}

/** What a person needs after `npm run dev`: where things are, what scans, and how to get a token. Plain text, once. */
export function printDevBanner(config: Config, facts: DevBannerFacts): void {
  const { graphqlUrl, temporalUi, clamd } = facts;
  const base = graphqlUrl.replace(/\/graphql$/, '');
  const lines = [
    '',
    '  ModelHub is running',
    '',
    `  GraphQL      ${graphqlUrl}   (subscriptions: ${graphqlUrl.replace(/^http/, 'ws')})`,
    `  Health       ${base}/health`,
    `  Temporal UI  ${temporalUi ?? `none (using TEMPORAL_ADDRESS=${config.temporal.address})`}`,
    `  Database     ${config.database.url ? 'DATABASE_URL' : `embedded PostgreSQL in ${config.database.embeddedDataDir} (port ${config.database.embeddedPort})`}`,
    ...scannerLines(config, clamd),
    `  Metrics      ${base}/metrics   (Prometheus, ${config.observability.metrics.token ? 'METRICS_TOKEN bearer' : 'loopback clients only'}; API and worker)`,
    `  Traces       ${config.observability.tracing.exporter === 'otlp' ? `OTLP to ${config.observability.tracing.endpoint}` : 'off (OTEL_TRACES=otlp sends them to OTEL_EXPORTER_OTLP_ENDPOINT)'}`,
    '',
    '  Get a token (roles: viewer, editor, approver, admin; deployer for CD, per project):',
    '    TOKEN=$(npm run -s token -- --role editor --sub alice)',
    `    curl -s ${graphqlUrl} -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\`,
    `      -d '{"query":"{ models(first: 5) { totalCount } }"}'`,
    '',
    config.auth.usingDevSecret ? '  Tokens are signed with the local development secret (JWT_SECRET unset).' : '  Tokens: JWT_SECRET / JWT_JWKS_URL.',
    `  Ctrl-C stops the API, the worker${clamd?.running ? ', clamd' : ''}, the Temporal dev server and PostgreSQL.`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
