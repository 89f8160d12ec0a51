import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { bundleWorkflowCode } from '@temporalio/worker';
import express from 'express';
import { createLogger } from '../../src/config/logger';
import { startTracing } from '../../src/observability/tracing';
import { setActiveTracing, type TracingHooks } from '../../src/observability/tracing-state';
import { workflowInterceptorModules } from '../../src/temporal/workflow-interceptors';
import { importModel, waitForOperation, writeModelDir } from '../support/onboarding-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

const exporter = new InMemorySpanExporter();
let tracing: TracingHooks;
let t: TestApp;
let dir: string;
const sharedBundle = process.env.TEST_WORKFLOW_BUNDLE;

beforeAll(async () => {
  // As OTEL_TRACES=otlp does, with an in-memory exporter instead of OTLP: before anything connects to Temporal.
  tracing = startTracing({ serviceName: 'modelhub-test', exporter, batch: false });
  setActiveTracing(tracing);
  // The run's shared bundle has no OpenTelemetry workflow interceptors (tracing is off by default): bundle one that does.
  dir = await mkdtemp(path.join(os.tmpdir(), 'modelhub-tracing-'));
  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    workflowInterceptorModules: workflowInterceptorModules(true),
    logger: { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: console.error, log: () => undefined },
  });
  process.env.TEST_WORKFLOW_BUNDLE = path.join(dir, 'bundle.js');
  await writeFile(process.env.TEST_WORKFLOW_BUNDLE, bundle.code);
  t = await startTestApp({ worker: true });
}, 180_000);

afterAll(async () => {
  await t?.stop();
  await tracing?.shutdown();
  setActiveTracing(null);
  process.env.TEST_WORKFLOW_BUNDLE = sharedBundle;
  await rm(dir, { recursive: true, force: true });
});

async function spansUntil(predicate: (spans: ReadableSpan[]) => boolean, timeoutMs = 20_000): Promise<ReadableSpan[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const spans = exporter.getFinishedSpans();
    if (predicate(spans) || Date.now() > deadline) return spans;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test('one trace runs from the GraphQL mutation through the workflow start and run to its activities', async () => {
  const started = await importModel(t, { name: uniqueName('traced'), source: { sourceType: 'DISK', path: await writeModelDir(t) } });
  expect(started.errors).toBeUndefined();
  expect((await waitForOperation(t, started.data!.importModel.id, 120_000)).status).toBe('SUCCEEDED');

  const request = exporter.getFinishedSpans().find((s) => s.name === 'mutation importModel');
  expect(request).toBeDefined();
  const traceId = request!.spanContext().traceId;
  // Workflow spans leave the sandbox through a sink after each activation: wait until the chain is complete.
  const spans = await spansUntil((all) => all.filter((s) => s.spanContext().traceId === traceId && /^Run(Activity|Workflow):/.test(s.name)).length >= 4);
  const inTrace = spans.filter((s) => s.spanContext().traceId === traceId);
  const byId = new Map(inTrace.map((s) => [s.spanContext().spanId, s]));
  const parentOf = (s: ReadableSpan) => (s.parentSpanId ? byId.get(s.parentSpanId) : undefined);

  expect(request!.attributes).toMatchObject({ 'graphql.operation.type': 'mutation', 'graphql.operation.name': 'importModel', 'modelhub.request_id': expect.any(String) });
  const start = inTrace.find((s) => s.name === 'StartWorkflow:importWorkflow');
  expect(start && parentOf(start)).toBe(request);
  const run = inTrace.find((s) => s.name === 'RunWorkflow:importWorkflow');
  expect(run && parentOf(run)).toBe(start);
  const activities = inTrace.filter((s) => s.name.startsWith('RunActivity:'));
  expect(activities.length).toBeGreaterThanOrEqual(3);
  for (const activity of activities) {
    // RunActivity ← StartActivity (scheduled by the workflow) ← RunWorkflow: one unbroken chain to the request.
    const scheduled = parentOf(activity);
    expect(scheduled?.name).toBe(activity.name.replace('RunActivity:', 'StartActivity:'));
    expect(parentOf(scheduled!)).toBe(run);
  }
}, 180_000);

test('a line logged inside a traced request carries its request id, trace id and span id', async () => {
  const lines: string[] = [];
  const log = createLogger({ logLevel: 'info', logFormat: 'json' }, 'trace-test', new Writable({ write: (chunk: Buffer, _enc, done) => void (lines.push(chunk.toString()), done()) }));
  const app = express();
  app.use((_req, res, next) => {
    res.locals.requestId = 'req-trace-1';
    next();
  });
  app.use(tracing.httpMiddleware);
  app.get('/x', async (_req, res) => {
    await new Promise((resolve) => setTimeout(resolve, 5)); // across an await, as in a resolver
    log.info('inside a request');
    res.end('ok');
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const port = (server.address() as { port: number }).port;
    expect(await (await fetch(`http://127.0.0.1:${port}/x`)).text()).toBe('ok');
    log.info('outside any request');
  } finally {
    server.close();
  }
  const [inside, outside] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const span = (await spansUntil((all) => all.some((s) => s.attributes['modelhub.request_id'] === 'req-trace-1'))).find((s) => s.attributes['modelhub.request_id'] === 'req-trace-1')!;
  expect(inside).toMatchObject({ msg: 'inside a request', requestId: 'req-trace-1', traceId: span.spanContext().traceId, spanId: span.spanContext().spanId });
  expect(outside).not.toHaveProperty('traceId');
  expect(outside).not.toHaveProperty('requestId');
});
