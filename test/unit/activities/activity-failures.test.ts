import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { failFast } from '../../../activities/activity-failures';
import { StalledSourceError } from '../../../src/storage/staging.errors';

async function failureOf(error: Error): Promise<unknown> {
  const env = new MockActivityEnvironment();
  return env.run(() => failFast(async () => { throw error; })).catch((e: unknown) => e);
}

test('a system error (a read-only artifact folder) stays retryable but shows only a reference, never the path', async () => {
  const eacces = Object.assign(new Error("EACCES: permission denied, open '/srv/modelhub/artifacts/blobs/sha256/ab/abcd'"), { errno: -13, code: 'EACCES', syscall: 'open', path: '/srv/modelhub/artifacts/blobs/sha256/ab/abcd' });
  const failure = await failureOf(eacces);
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect((failure as ApplicationFailure).nonRetryable).toBeFalsy();
  expect((failure as ApplicationFailure).type).toBe('INTERNAL');
  expect((failure as ApplicationFailure).message).toMatch(/^internal error \(reference [0-9a-f-]{36}\)$/);
});

test('a database error is masked the same way; our own transient messages pass unchanged', async () => {
  const pg = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { errno: -111, code: 'ECONNREFUSED', syscall: 'connect', address: '10.0.0.5', port: 5432 });
  expect(String((await failureOf(pg) as Error).message)).not.toContain('10.0.0.5');
  const stalled = new StalledSourceError('model.safetensors', 60_000, 1024);
  expect(await failureOf(stalled)).toBe(stalled);
});
