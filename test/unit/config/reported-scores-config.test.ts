import { ConfigError, loadConfig } from '../../../src/config/config';

const at = (env: Record<string, string>) => loadConfig(env, '/srv/modelhub', false).reportedScores;

test('reported scores are refreshed every 6 hours by default, in pages of 100, 4 cards at a time; tests leave it off', () => {
  expect(at({})).toEqual({ refreshCron: '0 */6 * * *', refreshBatch: 100, refreshConcurrency: 4, cardTimeoutMs: 30_000, hubRequestsPerMinute: 120 });
  expect(at({ NODE_ENV: 'test' }).refreshCron).toBeNull();
  expect(at({ NODE_ENV: 'test', REPORTED_SCORES_REFRESH_CRON: '@every 1h' }).refreshCron).toBe('@every 1h');
});

test('a cron expression or descriptor is taken (whitespace normalised), "off" removes the schedule, anything else is refused', () => {
  expect(at({ REPORTED_SCORES_REFRESH_CRON: '30  2 * * 1-5' }).refreshCron).toBe('30 2 * * 1-5');
  expect(at({ REPORTED_SCORES_REFRESH_CRON: '@daily' }).refreshCron).toBe('@daily');
  expect(at({ REPORTED_SCORES_REFRESH_CRON: '@every 6h30m' }).refreshCron).toBe('@every 6h30m');
  expect(at({ REPORTED_SCORES_REFRESH_CRON: 'off' }).refreshCron).toBeNull();
  for (const bad of ['every 6 hours', '* * *', '@sometimes', '0 */6 * * * ; rm -rf /']) {
    expect(() => at({ REPORTED_SCORES_REFRESH_CRON: bad })).toThrow(ConfigError);
  }
  expect(() => at({ REPORTED_SCORES_REFRESH_CRON: 'nope' })).toThrow(/REPORTED_SCORES_REFRESH_CRON must be a cron expression/);
});

test('batch, concurrency and card time-out are bounded integers', () => {
  expect(at({ REPORTED_SCORES_REFRESH_BATCH: '10', REPORTED_SCORES_REFRESH_CONCURRENCY: '8', REPORTED_SCORES_CARD_TIMEOUT_MS: '5000' })).toMatchObject({ refreshBatch: 10, refreshConcurrency: 8, cardTimeoutMs: 5000 });
  expect(() => at({ REPORTED_SCORES_REFRESH_BATCH: '0' })).toThrow(/REPORTED_SCORES_REFRESH_BATCH/);
  expect(() => at({ REPORTED_SCORES_REFRESH_CONCURRENCY: '1000' })).toThrow(/REPORTED_SCORES_REFRESH_CONCURRENCY/);
  expect(() => at({ REPORTED_SCORES_CARD_TIMEOUT_MS: '10' })).toThrow(/REPORTED_SCORES_CARD_TIMEOUT_MS/);
  expect(at({ UPSTREAM_WATCH_REQUESTS_PER_MINUTE: '30' }).hubRequestsPerMinute).toBe(30);
  expect(() => at({ UPSTREAM_WATCH_REQUESTS_PER_MINUTE: '0' })).toThrow(/UPSTREAM_WATCH_REQUESTS_PER_MINUTE/);
});

test("the seeds' LEADERBOARD_UPDATE_INTERVAL (seconds) is honoured when no cron is set; the cron wins when both are", () => {
  expect(at({ LEADERBOARD_UPDATE_INTERVAL: '21600' }).refreshCron).toBe('@every 21600s');
  expect(at({ LEADERBOARD_UPDATE_INTERVAL: '0' }).refreshCron).toBeNull();
  expect(at({ LEADERBOARD_UPDATE_INTERVAL: '3600', REPORTED_SCORES_REFRESH_CRON: '@daily' }).refreshCron).toBe('@daily');
  for (const bad of ['6h', '-1', '30', '1e5']) expect(() => at({ LEADERBOARD_UPDATE_INTERVAL: bad })).toThrow(/LEADERBOARD_UPDATE_INTERVAL/);
});
