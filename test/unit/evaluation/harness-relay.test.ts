import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ValidationError } from '../../../src/domain/common/domain-error';
import { startHarnessRelay } from '../../../src/evaluation/harness-relay';
import { createAddressPolicy } from '../../../src/net/address-policy';

interface Seen { method: string; url: string; authorization: string | null; body: string }

/** A plain HTTP server recording what reaches it; `answer` decides the reply. */
async function endpoint(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization ?? null, body });
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { seen, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => { server.closeAllConnections(); server.close(); } };
}

const loopback = createAddressPolicy(['127.0.0.1']);

describe('the relay in front of lm_eval', () => {
  it('forwards requests under the target path with the target key in place of the harness header, and streams answers back', async () => {
    const target = await endpoint((req, res) => res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'x=1' }).end(JSON.stringify({ path: req.url })));
    const relay = await startHarnessRelay({ baseUrl: `${target.url}/openai/`, model: 'm', apiKey: 'sk-target', policy: loopback });
    try {
      const post = await fetch(`${relay.url}/v1/completions?x=1`, { method: 'POST', headers: { authorization: `Bearer ${relay.token}`, 'content-type': 'application/json' }, body: '{"prompt":"hi"}' });
      expect(post.status).toBe(200);
      expect(await post.json()).toEqual({ path: '/openai/v1/completions?x=1' });
      expect(post.headers.get('set-cookie')).toBeNull();
      const get = await fetch(`${relay.url}/tokenizer_info`); // lm_eval's remote tokenizer sends no header
      expect(get.status).toBe(200);
      // Another process on the worker: no token, a wrong one, or a route lm_eval never asks for.
      expect((await fetch(`${relay.url}/v1/completions`, { method: 'POST', body: '{}' })).status).toBe(401);
      expect((await fetch(`${relay.url}/v1/completions`, { method: 'POST', body: '{}', headers: { authorization: 'Bearer guess' } })).status).toBe(401);
      expect((await fetch(`${relay.url}/admin/shutdown`, { method: 'POST', headers: { authorization: `Bearer ${relay.token}` } })).status).toBe(404);
      expect(target.seen).toEqual([
        { method: 'POST', url: '/openai/v1/completions?x=1', authorization: 'Bearer sk-target', body: '{"prompt":"hi"}' },
        { method: 'GET', url: '/openai/tokenizer_info', authorization: 'Bearer sk-target', body: '' },
      ]);
    } finally {
      await relay.close();
      target.close();
    }
  });

  it('answers a redirect with 502 and never goes where it points; a path cannot name another host', async () => {
    const elsewhere = await endpoint((_req, res) => res.writeHead(200).end('{}'));
    const target = await endpoint((_req, res) => res.writeHead(307, { location: `${elsewhere.url}/steal` }).end());
    const relay = await startHarnessRelay({ baseUrl: target.url, model: 'm', apiKey: 'sk-target', policy: loopback });
    try {
      const res = await fetch(`${relay.url}/v1/completions`, { method: 'POST', body: '{}', redirect: 'manual', headers: { authorization: `Bearer ${relay.token}` } });
      expect(res.status).toBe(502);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/307 \(a redirect\)/);
      const sneaky = await new Promise<number>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port: new URL(relay.url).port, path: `//127.0.0.1:${new URL(elsewhere.url).port}/steal` }, (r) => { r.resume(); resolve(r.statusCode ?? 0); }).on('error', reject);
      });
      expect(sneaky).toBe(404); // not a route lm_eval asks for: never forwarded
      expect(target.seen.map((s) => s.url)).toEqual(['/v1/completions']);
      expect(elsewhere.seen).toEqual([]);
    } finally {
      await relay.close();
      target.close();
      elsewhere.close();
    }
  });

  it('refuses a target the policy refuses before listening, and answers 502 for one that is down', async () => {
    await expect(startHarnessRelay({ baseUrl: 'http://127.0.0.1:9', model: 'm', policy: createAddressPolicy([]) })).rejects.toThrow(ValidationError);
    const relay = await startHarnessRelay({ baseUrl: 'http://127.0.0.1:9', model: 'm', policy: loopback });
    try {
      const res = await fetch(`${relay.url}/v1/completions`, { method: 'POST', body: '{}', headers: { authorization: `Bearer ${relay.token}` } });
      expect(res.status).toBe(502);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/ECONNREFUSED/);
    } finally {
      await relay.close();
    }
  });
});
