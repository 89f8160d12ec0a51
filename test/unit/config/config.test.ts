import { ConfigError, DEV_JWT_SECRET, loadConfig } from '../../../src/config/config';

describe('config', () => {
  test('defaults are the embedded, local ones', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config).toMatchObject({
      env: 'development',
      host: '127.0.0.1',
      port: 4000,
      database: { url: null, embeddedDataDir: '/srv/app/.data/postgres', embeddedPort: 54329 },
      auth: { jwtSecret: DEV_JWT_SECRET, usingDevSecret: true, jwksUrl: null },
    });
    expect(Object.isFrozen(config.auth)).toBe(true);
  });

  test('production refuses the public dev secret; bad numbers and short secrets are refused', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(loadConfig({ NODE_ENV: 'production', JWT_JWKS_URL: 'https://idp/jwks' }).auth.jwtSecret).toBeNull();
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/32/);
    expect(() => loadConfig({ NODE_ENV: 'staging' })).toThrow(/NODE_ENV/);
  });

  test('the GraphQL explorer is on outside production, off in production unless GRAPHQL_EXPLORER turns it on', () => {
    const prod = { NODE_ENV: 'production', JWT_JWKS_URL: 'https://idp/jwks' };
    expect(loadConfig({}).graphqlExplorer).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).graphqlExplorer).toBe(true);
    expect(loadConfig(prod).graphqlExplorer).toBe(false);
    expect(loadConfig({ ...prod, GRAPHQL_EXPLORER: 'true' }).graphqlExplorer).toBe(true);
    expect(loadConfig({ GRAPHQL_EXPLORER: 'false' }).graphqlExplorer).toBe(false);
    expect(() => loadConfig({ GRAPHQL_EXPLORER: 'maybe' })).toThrow(/GRAPHQL_EXPLORER/);
  });
});
