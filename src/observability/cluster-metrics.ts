import cluster from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import { registry } from './metrics';

/** The messages an API process and the cluster primary (src/api-cluster.ts) exchange for GET /metrics. */
export const METRICS_ASK = 'modelhub:metrics-ask';
export const METRICS_ANSWER = 'modelhub:metrics-answer';

export interface MetricsAsk {
  type: typeof METRICS_ASK;
  id: number;
}
export interface MetricsAnswer {
  type: typeof METRICS_ANSWER;
  id: number;
  body?: string;
  error?: string;
}

/** Whether this process is one API process of several (forked by src/api-cluster.ts under API_PROCESSES > 1). */
export function inApiCluster(): boolean {
  return cluster.isWorker;
}

if (inApiCluster()) {
  // The primary's AggregatorRegistry asks each worker for its own registry (not prom-client's global one).
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry(); // adds prom-client's worker-side listener for the primary's requests
}

let asked = 0;
const waiting = new Map<number, { resolve: (body: string) => void; reject: (error: Error) => void }>();

/** In an API process of a cluster: the /metrics text summed over every API process, asked of the primary. */
export function clusterMetricsText(timeoutMs = 10_000): Promise<string> {
  if (waiting.size === 0 && asked === 0) {
    process.on('message', (message: MetricsAnswer) => {
      if (message?.type !== METRICS_ANSWER) return;
      const entry = waiting.get(message.id);
      if (!entry) return;
      waiting.delete(message.id);
      if (message.body !== undefined) entry.resolve(message.body);
      else entry.reject(new Error(`metrics of the API processes: ${message.error ?? 'no answer'}`));
    });
  }
  const id = ++asked;
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(new Error(`the cluster primary did not answer for metrics within ${timeoutMs} ms`));
    }, timeoutMs);
    waiting.set(id, {
      resolve: (body) => {
        clearTimeout(timer);
        resolve(body);
      },
      reject: (error) => {
        clearTimeout(timer);
        reject(error);
      },
    });
    process.send?.({ type: METRICS_ASK, id } satisfies MetricsAsk);
  });
}
