import { Writable } from 'node:stream';
import { createLogger } from '../../../src/config/logger';

function capture() {
  const lines: Record<string, any>[] = []; // eslint-disable-line @typescript-eslint/no-explicit-any -- log lines are inspected field by field
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')));
      done();
    },
  });
  return { lines, log: createLogger({ logLevel: 'info', logFormat: 'json' }, 'test', stream) };
}

describe('errors in log lines', () => {
  test('an Error under `error` (as the Temporal SDK logs a failed activity) carries its name, message, code and cause chain', () => {
    const { lines, log } = capture();
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED', address: '127.0.0.1', port: 9 });
    log.warn({ error: new TypeError('fetch failed', { cause: refused }) }, 'Activity task failed');
    const { error } = lines[0];
    expect(error).toMatchObject({
      type: 'TypeError',
      message: 'fetch failed',
      stack: expect.stringContaining('TypeError: fetch failed'),
      cause: { type: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:9', code: 'ECONNREFUSED', address: '127.0.0.1', port: 9 },
    });
  });

  test('`err` is serialised the same way; values that are not errors pass through unchanged', () => {
    const { lines, log } = capture();
    log.error({ err: new RangeError('too far') }, 'one');
    log.info({ error: 'just a string', err: { code: 'X' } }, 'two');
    expect(lines[0].err).toMatchObject({ type: 'RangeError', message: 'too far' });
    expect(lines[1]).toMatchObject({ error: 'just a string', err: { code: 'X' } });
  });
});
