/**
 * Loads what the API and the worker load, turns tracing on or off as OTEL_TRACES says, then prints which
 * OpenTelemetry SDK modules got loaded and which AsyncLocalStorage instances or async hooks OpenTelemetry created.
 */
import asyncHooks from 'node:async_hooks';

const byOtel: string[] = [];
const fromOtel = (what: string) => {
  const stack = new Error().stack ?? '';
  if (stack.includes('@opentelemetry') || stack.includes('observability/tracing.ts')) byOtel.push(what);
};
const Original = asyncHooks.AsyncLocalStorage;
asyncHooks.AsyncLocalStorage = class extends Original<unknown> {
  constructor() {
    super();
    fromOtel('AsyncLocalStorage');
  }
} as typeof Original;
const createHook = asyncHooks.createHook;
asyncHooks.createHook = (callbacks) => {
  fromOtel('createHook');
  return createHook(callbacks);
};

/* eslint-disable @typescript-eslint/no-require-imports -- loaded after the probes above are in place */
require('reflect-metadata');
require('../../src/http/serve');
require('../../src/worker-runner');
require('../../src/runtime');
const { loadConfig } = require('../../src/config/config') as typeof import('../../src/config/config');
const { initTracing } = require('../../src/observability/tracing-switch') as typeof import('../../src/observability/tracing-switch');
/* eslint-enable @typescript-eslint/no-require-imports */

const config = loadConfig(process.env);
initTracing(config.observability.tracing, 'probe');
const sdk = Object.keys(require.cache)
  .map((file) => /.*node_modules\/(@opentelemetry\/[^/]+)/.exec(file)?.[1])
  .filter((name): name is string => Boolean(name) && name !== '@opentelemetry/api');
const api = (globalThis as Record<symbol, { context?: object } | undefined>)[Symbol.for('opentelemetry.js.api.1')];
process.stdout.write(`${JSON.stringify({ sdk: [...new Set(sdk)].sort(), byOtel, contextManager: api?.context?.constructor.name ?? null })}\n`);
