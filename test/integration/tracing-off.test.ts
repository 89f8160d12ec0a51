import { startEntry } from '../support/entry-process';

async function probe(traces: string): Promise<{ sdk: string[]; byOtel: string[]; contextManager: string | null }> {
  const child = startEntry('test/support/tracing-probe-child.ts', { OTEL_TRACES: traces, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
  const line = await child.waitFor(/^\{"sdk"/, 120_000);
  await child.exited;
  return JSON.parse(line) as { sdk: string[]; byOtel: string[]; contextManager: string | null };
}

test('traces off (the default): no OpenTelemetry SDK module is loaded and it installs no AsyncLocalStorage or async hook', async () => {
  const off = await probe('off');
  expect(off).toEqual({ sdk: [], byOtel: [], contextManager: null });
  // The probe sees them when tracing is on, so the answer above is not blindness.
  const on = await probe('otlp');
  expect(on.sdk).toEqual(expect.arrayContaining(['@opentelemetry/context-async-hooks', '@opentelemetry/sdk-trace-node', '@opentelemetry/exporter-trace-otlp-http']));
  expect(on.byOtel).toContain('AsyncLocalStorage');
  expect(on.contextManager).toBe('AsyncLocalStorageContextManager');
}, 240_000);
