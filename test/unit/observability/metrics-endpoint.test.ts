import type http from 'node:http';
import { metricsHandler } from '../../../src/observability/metrics-endpoint';

/** A request from `remoteAddress` and a response that records what was answered. */
async function ask(token: string | null, remoteAddress: string, authorization?: string) {
  const req = { socket: { remoteAddress }, headers: authorization ? { authorization } : {} } as unknown as http.IncomingMessage;
  const answer = { status: 0, body: '' };
  const res = {
    set statusCode(value: number) {
      answer.status = value;
    },
    setHeader: () => undefined,
    end: (body?: string) => void (answer.body = body ?? ''),
  } as unknown as http.ServerResponse;
  await metricsHandler(token)(req, res);
  return answer;
}

describe('/metrics protection', () => {
  test('without METRICS_TOKEN only loopback clients are answered', async () => {
    expect((await ask(null, '127.0.0.1')).status).toBe(200);
    expect((await ask(null, '::1')).status).toBe(200);
    expect((await ask(null, '::ffff:127.0.0.1')).status).toBe(200);
    const remote = await ask(null, '10.1.2.3');
    expect(remote.status).toBe(403);
    expect(remote.body).toMatch(/METRICS_TOKEN/);
    expect((await ask(null, '192.168.1.20', 'Bearer anything-at-all-here')).status).toBe(403);
  });

  test('with METRICS_TOKEN every client needs the bearer token, loopback included', async () => {
    const token = 'a-long-enough-metrics-token';
    expect((await ask(token, '10.1.2.3', `Bearer ${token}`)).status).toBe(200);
    expect((await ask(token, '127.0.0.1')).status).toBe(401);
    expect((await ask(token, '10.1.2.3', 'Bearer a-long-enough-metrics-tokeX')).status).toBe(401);
    expect((await ask(token, '10.1.2.3', token)).status).toBe(401);
  });
});
