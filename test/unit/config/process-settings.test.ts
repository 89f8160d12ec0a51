import { ConfigError, loadConfig } from '../../../src/config/config';

const at = (env: Record<string, string>, isTty = false) => loadConfig(env, '/srv/modelhub', isTty);

describe('process and storage housekeeping settings', () => {
  test('logs are pretty in a development terminal and JSON otherwise, unless LOG_FORMAT says', () => {
    expect(at({}, true).logFormat).toBe('pretty');
    expect(at({}, false).logFormat).toBe('json');
    expect(at({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }, true).logFormat).toBe('json');
    expect(at({ LOG_FORMAT: 'json' }, true).logFormat).toBe('json');
    expect(at({ LOG_FORMAT: 'pretty' }, false).logFormat).toBe('pretty');
    expect(() => at({ LOG_FORMAT: 'xml' })).toThrow(new ConfigError('LOG_FORMAT must be pretty or json, got "xml"'));
  });

  test('defaults: 30 s to shut down, blobs collected every 6 h after a day of grace, staging after a day, tools in .tools', () => {
    const config = at({});
    expect(config.shutdownTimeoutMs).toBe(30_000);
    expect(config.gc).toEqual({ blobIntervalMs: 21_600_000, blobGraceMs: 86_400_000, stagingGraceMs: 86_400_000, uploadSweepIntervalMs: 3_600_000, uploadSweepGraceMs: 3_600_000 });
    expect(config.temporal.toolsDir).toBe('/srv/modelhub/.tools');
  });

  test('each is a bounded integer; 0 turns the collector schedule off', () => {
    const config = at({ SHUTDOWN_TIMEOUT_MS: '5000', BLOB_GC_INTERVAL_MS: '0', BLOB_GC_GRACE_MS: '3600000', STAGING_GRACE_MS: '600000', UPLOAD_SWEEP_INTERVAL_MS: '0', UPLOAD_SWEEP_GRACE_MS: '0', TOOLS_DIR: 'vendor/tools' });
    expect(config.shutdownTimeoutMs).toBe(5000);
    expect(config.gc).toEqual({ blobIntervalMs: 0, blobGraceMs: 3_600_000, stagingGraceMs: 600_000, uploadSweepIntervalMs: 0, uploadSweepGraceMs: 0 });
    expect(config.temporal.toolsDir).toBe('/srv/modelhub/vendor/tools');
    expect(() => at({ SHUTDOWN_TIMEOUT_MS: '10' })).toThrow(/SHUTDOWN_TIMEOUT_MS must be an integer between 1000/);
    expect(() => at({ STAGING_GRACE_MS: '1000' })).toThrow(/STAGING_GRACE_MS must be an integer between 60000/);
    expect(() => at({ BLOB_GC_GRACE_MS: '-1' })).toThrow(/BLOB_GC_GRACE_MS/);
  });
});
