import type { Config } from './config/config';

/** What a person needs after `npm run dev`: where things are and how to get a token. Plain text, once. */
export function printDevBanner(config: Config, graphqlUrl: string, temporalUi: string | null): void {
  const lines = [
    '',
    '  ModelHub is running',
    '',
    `  GraphQL      ${graphqlUrl}   (subscriptions: ${graphqlUrl.replace(/^http/, 'ws')})`,
    `  Health       ${graphqlUrl.replace(/\/graphql$/, '/health')}`,
    `  Temporal UI  ${temporalUi ?? `none (using TEMPORAL_ADDRESS=${config.temporal.address})`}`,
    `  Database     ${config.database.url ? 'DATABASE_URL' : `embedded PostgreSQL in ${config.database.embeddedDataDir} (port ${config.database.embeddedPort})`}`,
    '',
    '  Get a token (roles: viewer, editor, approver, admin):',
    '    TOKEN=$(npm run -s token -- --role editor --sub alice)',
    `    curl -s ${graphqlUrl} -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\`,
    `      -d '{"query":"{ models(first: 5) { totalCount } }"}'`,
    '',
    config.auth.usingDevSecret ? '  Tokens are signed with the local development secret (JWT_SECRET unset).' : '  Tokens: JWT_SECRET / JWT_JWKS_URL.',
    '  Ctrl-C stops the API, the worker, the Temporal dev server and PostgreSQL.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
