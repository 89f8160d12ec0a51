import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's Prometheus metrics, in one registry of our own (libraries that register into prom-client's global
 * one do not leak into /metrics). Label values are bounded: GraphQL operations are labelled by operation type and
 * root field (fixed by the schema), never by the client-chosen operation name; workflow and activity types are ours.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'modelhub_' });

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LONG_BUCKETS = [0.05, 0.25, 1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600];

export const metrics = {
  graphqlDuration: new Histogram({
    name: 'modelhub_graphql_request_duration_seconds',
    help: 'GraphQL requests over HTTP, by operation (type and root field) and outcome code (OK, or the first error code).',
    labelNames: ['operation', 'code'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  }),
  graphqlErrors: new Counter({
    name: 'modelhub_graphql_errors_total',
    help: 'GraphQL errors answered (HTTP and WebSocket), by operation and extensions.code.',
    labelNames: ['operation', 'code'] as const,
    registers: [registry],
  }),
  subscriptionExecutions: new Counter({
    name: 'modelhub_subscription_executions_total',
    help: 'Subscription documents executed for an event: once per group of subscribers with equal document, variables and caller scope.',
    registers: [registry],
  }),
  subscriptionCoalesced: new Counter({
    name: 'modelhub_subscription_messages_coalesced_total',
    help: "Messages a full subscriber queue dropped (its socket stopped reading): an older state replaced by a newer one, or the oldest.",
    registers: [registry],
  }),
  activeSubscriptions: new Gauge({
    name: 'modelhub_graphql_active_subscriptions',
    help: 'graphql-ws subscriptions currently open, by root field.',
    labelNames: ['subscription'] as const,
    registers: [registry],
  }),
  workflowDuration: new Histogram({
    name: 'modelhub_workflow_duration_seconds',
    help: 'Workflow runs closed by this worker, from run start to close, by type and outcome (completed, failed, cancelled, continued_as_new).',
    labelNames: ['workflow_type', 'outcome'] as const,
    buckets: LONG_BUCKETS,
    registers: [registry],
  }),
  activityDuration: new Histogram({
    name: 'modelhub_activity_duration_seconds',
    help: 'Activity attempts run by this worker, by type and outcome (completed, failed, cancelled).',
    labelNames: ['activity_type', 'outcome'] as const,
    buckets: LONG_BUCKETS,
    registers: [registry],
  }),
  bytesImported: new Counter({
    name: 'modelhub_bytes_imported_total',
    help: 'Bytes of files stored by imports, by source type.',
    labelNames: ['source'] as const,
    registers: [registry],
  }),
  bytesServed: new Counter({
    name: 'modelhub_bytes_served_total',
    help: 'Bytes of artifact bodies sent to clients, by API (files, hf, tar).',
    labelNames: ['api'] as const,
    registers: [registry],
  }),
  uploadBytes: new Counter({
    name: 'modelhub_upload_bytes_total',
    help: 'Bytes of uploaded files that counted, by transfer: through_api (the body streamed through this process) or multipart (sent straight to an S3 bucket in presigned parts; this process only read the assembled object back to verify it).',
    labelNames: ['transfer'] as const,
    registers: [registry],
  }),
  uploadBodyBytes: new Counter({
    name: 'modelhub_upload_body_bytes_received_total',
    help: 'Upload body bytes this process received through the direct-upload service (the through-API transfer), whether or not the upload counted.',
    registers: [registry],
  }),
  scanVerdicts: new Counter({
    name: 'modelhub_scan_verdicts_total',
    help: 'Per-file verdicts of scans actually run (not served from the blob cache), by scanner (clamav, format) and verdict.',
    labelNames: ['scanner', 'verdict'] as const,
    registers: [registry],
  }),
  scansCached: new Counter({
    name: 'modelhub_scan_cached_files_total',
    help: 'Files whose scan verdict came from the blob cache.',
    registers: [registry],
  }),
};

/** What the queue-depth gauge reads at scrape time: open operations by kind and status (PENDING, RUNNING). */
export type QueueDepthSource = () => Promise<readonly { kind: string; status: string; count: number }[]>;

let queueDepth: QueueDepthSource | null = null;

new Gauge({
  name: 'modelhub_operations_open',
  help: 'Operations (imports, scans, evaluations, benchmarks, …) not yet settled, by kind and status: the work queued or running.',
  labelNames: ['kind', 'status'] as const,
  registers: [registry],
  // Every API process of a cluster counts the same rows: summing them would multiply the queue.
  aggregator: 'max',
  async collect() {
    this.reset();
    if (!queueDepth) return;
    // A scrape never fails on a slow or unreachable database: the gauge is simply absent for that scrape.
    const rows = await queueDepth().catch(() => []);
    for (const row of rows) this.set({ kind: row.kind, status: row.status }, row.count);
  },
});

/** The API process tells the gauge where to count (its services); the worker alone exports no queue depth. */
export function setQueueDepthSource(source: QueueDepthSource | null): void {
  queueDepth = source;
}
