import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import ipaddr from 'ipaddr.js';
import { clusterMetricsText, inApiCluster } from './cluster-metrics';
import { registry } from './metrics';

function isLoopback(address: string | undefined): boolean {
  if (!address || !ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  return parsed.range() === 'loopback';
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/**
 * GET /metrics in Prometheus' text format. With METRICS_TOKEN set it needs that bearer token (Prometheus'
 * `authorization: { credentials: … }`); without it only loopback clients are answered: a deployment that exposes
 * the port must configure the token, so the process's internals are never public by accident.
 */
export function metricsHandler(token: string | null) {
  return async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const allowed = token ? bearerMatches(req.headers.authorization, token) : isLoopback(req.socket.remoteAddress);
    if (!allowed) {
      res.statusCode = token ? 401 : 403;
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      if (token) res.setHeader('www-authenticate', 'Bearer realm="metrics"');
      res.end(token ? 'metrics need the METRICS_TOKEN bearer token\n' : 'metrics are served to loopback only; set METRICS_TOKEN to scrape from elsewhere\n');
      return;
    }
    // One of several API processes (API_PROCESSES > 1): the sum over all of them, gathered by the primary.
    const body = inApiCluster() ? await clusterMetricsText() : await registry.metrics();
    res.statusCode = 200;
    res.setHeader('content-type', registry.contentType);
    res.end(body);
  };
}

export interface MetricsListener {
  readonly url: string;
  close(): Promise<void>;
}

/** The standalone worker's own /metrics (it has no HTTP server otherwise): WORKER_METRICS_PORT on HOST. */
export async function listenForMetrics(host: string, port: number, token: string | null): Promise<MetricsListener> {
  const handle = metricsHandler(token);
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url?.split('?')[0] === '/metrics') {
      handle(req, res).catch(() => {
        res.statusCode = 500;
        res.end();
      });
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
