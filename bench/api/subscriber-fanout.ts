import { performance } from 'node:perf_hooks';
import { type Client, createClient } from 'graphql-ws';
import type { Pool } from 'pg';
import WebSocket from 'ws';
import { EVENTS_CHANNEL } from '../../src/services/events/hub-events';
import { percentile } from './load-runner';

export interface FanOutResult {
  subscribers: number;
  events: number;
  /** Deliveries that arrived (subscribers × events when nothing was lost). */
  delivered: number;
  /** Deliveries coalesced away: under load the fan-out reads the row once and sends its newest state. */
  missing: number;
  /** Subscribers that never got the last event (the newest state): a real error, unlike coalescing. */
  stale: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const SUBSCRIPTION = `subscription($id: ID!) { operationProgress(id: $id) { id sequence progress message } }`;

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes on this machine. */
const nowMs = () => performance.timeOrigin + performance.now();

/** A RUNNING operation on a model of the catalog, as an import would have it (no workflow behind it). */
export async function createRunningOperation(pool: Pool): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO operations (kind, model_id, workflow_id, status, created_by)
     SELECT 'IMPORT', id, 'bench-fanout-' || gen_random_uuid(), 'RUNNING', 'bench' FROM models ORDER BY created_at DESC LIMIT 1
     RETURNING id`,
  );
  return rows[0].id;
}

/**
 * `subscribers` graphql-ws clients subscribe to one operation; then `events` progress updates are written and
 * NOTIFYed the way OperationService.update does (row first, then pg_notify in the same transaction). Each update
 * carries its send time in `message`, so every delivery's NOTIFY→delivery latency is measured where it lands.
 */
export async function runFanOut(options: { pool: Pool; apiUrl: string; token: string; subscribers: number; events: number; gapMs: number }): Promise<FanOutResult> {
  const operationId = await createRunningOperation(options.pool);
  const latencies: number[] = [];
  const seen: Set<number>[] = [];
  let errors = 0;
  const clients: Client[] = [];
  const ready: Promise<void>[] = [];
  for (let s = 0; s < options.subscribers; s++) {
    const got = new Set<number>();
    seen.push(got);
    const client = createClient({
      url: `${options.apiUrl.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${options.token}` },
      retryAttempts: 0,
      lazy: false,
    });
    clients.push(client);
    ready.push(
      new Promise<void>((resolve) => {
        client.subscribe<{ operationProgress: { sequence: number; message: string | null } }>(
          { query: SUBSCRIPTION, variables: { id: operationId } },
          {
            next: (value) => {
              const op = value.data?.operationProgress;
              if (!op) return void errors++;
              resolve(); // the snapshot: subscribed and live
              const sent = /^bench (\d+) ([\d.]+)$/.exec(op.message ?? '');
              if (!sent || got.has(Number(sent[1]))) return;
              got.add(Number(sent[1]));
              latencies.push(nowMs() - Number(sent[2]));
            },
            error: () => {
              errors++;
              resolve();
            },
            complete: () => resolve(),
          },
        );
      }),
    );
    // Connecting 1,000 sockets at once is a burst no real fleet makes; 50 at a time is still quick.
    if (s % 50 === 49) await Promise.all(ready.slice(-50));
  }
  await Promise.all(ready);
  for (let e = 0; e < options.events; e++) {
    await options.pool.query(
      `WITH u AS (
         UPDATE operations SET progress = $2, message = 'bench ' || $3 || ' ' || $4, sequence = sequence + 1, updated_at = now()
         WHERE id = $1 RETURNING model_id, sequence)
       SELECT pg_notify($5, json_build_object('kind', 'operation', 'modelId', u.model_id, 'operationId', $1::uuid, 'sequence', u.sequence)::text) FROM u`,
      [operationId, (e + 1) / (options.events + 1), e, nowMs().toFixed(3), EVENTS_CHANNEL],
    );
    await new Promise((resolve) => setTimeout(resolve, options.gapMs));
  }
  // Stragglers: wait until every subscriber has every event, or 5 s.
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && seen.some((got) => !got.has(options.events - 1))) await new Promise((resolve) => setTimeout(resolve, 50));
  await Promise.all(clients.map((c) => c.dispose()));
  await options.pool.query(`UPDATE operations SET status = 'SUCCEEDED', completed_at = now() WHERE id = $1`, [operationId]);
  latencies.sort((a, b) => a - b);
  const delivered = seen.reduce((sum, got) => sum + got.size, 0);
  return {
    subscribers: options.subscribers,
    events: options.events,
    delivered,
    missing: options.subscribers * options.events - delivered,
    stale: seen.filter((got) => !got.has(options.events - 1)).length,
    errors,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies[latencies.length - 1] ?? Number.NaN,
  };
}
