import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { GraphQLObjectType } from 'graphql';
import pino from 'pino';
import { systemCaller, userCaller } from '../../src/domain/auth/caller';
import { Role } from '../../src/domain/auth/roles';
import { ScanStatus } from '../../src/domain/scanning/scan-enums';
import { type RunningApp, startApp } from '../../src/http/app';
import { createEventBus } from '../../src/graphql/pubsub';
import { buildSubgraph, type Subgraph } from '../../src/graphql/schema';
import { BenchmarkEntity } from '../../src/persistence/entities/benchmark.entity';
import { LicenseEntity } from '../../src/persistence/entities/license.entity';
import { ModelEntity } from '../../src/persistence/entities/model.entity';
import { ScanResultEntity } from '../../src/persistence/entities/scan-result.entity';
import { VersionEntity } from '../../src/persistence/entities/version.entity';
import { createVersion, registerModel } from '../support/catalog-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

const ROOT = path.resolve(__dirname, '../..');
const system = systemCaller('read-path test');
let t: TestApp;
let subgraph: Subgraph;
let app: RunningApp;
const models: string[] = [];

beforeAll(async () => {
  t = await startTestApp();
  // An app of its own, so the test can look at the schema it serves.
  subgraph = await buildSubgraph();
  app = await startApp({ config: t.config, services: t.services, subgraph, events: createEventBus(), log: pino({ level: 'silent' }) }, 0);
  const project = uniqueName('readpath');
  for (let i = 0; i < 2; i++) {
    const model = await registerModel(t, {
      project,
      license: 'Apache-2.0',
      parameterCount: '70000000000',
      licenseRestrictions: { commercialUse: true, monthlyActiveUsersLimit: '700000000', notes: 'read-path' },
      requirements: { minGpuMemoryGb: 80, recommendedGpu: 'H100', recommendedGpuCount: 2 },
      tags: ['readpath'],
    });
    const v1 = await createVersion(t, model.id, '1.0.0');
    await createVersion(t, model.id, '1.1.0-rc.1', { parentVersionId: v1.id });
    const at = new Date();
    await t.services.scans.record({ versionId: v1.id, scanner: 'readpath', status: ScanStatus.PASSED, findings: [], filesScanned: 3, bytesScanned: 5_000_000_000n, startedAt: at, completedAt: at });
    await t.services.measurements.recordBenchmark(system, v1.id, { hardwareProfile: 'L4', throughputTokensPerSecond: 120.5, ttftP50Ms: 30, configuration: { engine: 'vllm', batch: 8 } });
    models.push(model.id);
  }
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await t?.stop();
});

async function post(body: object, headers: Record<string, string> = {}) {
  const token = await t.token(Role.VIEWER, 'readpath-viewer');
  const res = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify(body),
  });
  return { cacheControl: res.headers.get('cache-control'), body: (await res.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[]; extensions?: { ftv1?: string } } };
}

const PAGE = { query: `query($id: ID!) { model(id: $id) { name versions { version } latestScan { status } benchmarks { hardwareProfile } } }` };
const fieldResolve = (schema: Subgraph['schema'], type: string, field: string) => (schema.getType(type) as GraphQLObjectType).getFields()[field].resolve;

test('only a request asking for ftv1 is traced, on its own schema copy: the served schema is never instrumented', async () => {
  const served = { models: fieldResolve(subgraph.schema, 'Query', 'model'), versions: fieldResolve(subgraph.schema, 'Model', 'versions') };
  const plain = await post({ ...PAGE, variables: { id: models[0] } });
  expect(plain.body.errors).toBeUndefined();
  expect(plain.body.extensions?.ftv1).toBeUndefined();
  // What Apollo's cache-control plugin answered for a schema without hints, now set once per response.
  expect(plain.cacheControl).toBe('no-store');

  const traced = await post({ ...PAGE, variables: { id: models[0] } }, { 'apollo-federation-include-trace': 'ftv1' });
  expect(traced.body.data).toEqual(plain.body.data);
  expect(traced.cacheControl).toBe('no-store');
  const trace = Buffer.from(traced.body.extensions?.ftv1 ?? '', 'base64');
  // The protobuf trace names the fields it timed.
  expect(trace.includes('versions')).toBe(true);
  expect(trace.includes('latestScan')).toBe(true);

  const after = await post({ ...PAGE, variables: { id: models[1] } });
  expect(after.body.extensions?.ftv1).toBeUndefined();
  expect(fieldResolve(subgraph.schema, 'Query', 'model')).toBe(served.models);
  expect(fieldResolve(subgraph.schema, 'Model', 'versions')).toBe(served.versions);
  // The copy that served the traced request is the one Apollo wrapped.
  expect(fieldResolve(subgraph.tracedSchema(), 'Model', 'versions')).not.toBe(served.versions);
});

test('errors keep their code whether traced or not', async () => {
  const query = { query: `query { model(id: "00000000-0000-4000-8000-000000000000") { name } }` };
  for (const headers of [{}, { 'apollo-federation-include-trace': 'ftv1' }] as Record<string, string>[]) {
    const { body } = await post(query, headers);
    expect(body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  }
});

test('plain-row reads give exactly what the entity reads gave', async () => {
  const repo = <T extends object>(entity: new () => T) => t.dataSource.getRepository<T>(entity);
  const byModel = <T extends { modelId: string }>(rows: T[]) => [...rows].sort((a, b) => (a.modelId < b.modelId ? -1 : 1));
  expect(await t.services.modelQueries.byIds(system, models)).toEqual(expect.arrayContaining(await repo(ModelEntity).findBy(models.map((id) => ({ id })))));
  const [model] = await t.services.modelQueries.byIds(system, [models[0]]);
  expect(model.parameterCount).toBe(70_000_000_000n);
  expect(model.licenseRestrictions?.monthlyActiveUsersLimit).toBe(700_000_000n);

  const versions = await t.services.versions.forModels(system, models);
  expect(versions.map((v) => v.version)).toEqual(['1.1.0-rc.1', '1.1.0-rc.1', '1.0.0', '1.0.0']);
  expect(byModel(versions)).toEqual(expect.arrayContaining(await repo(VersionEntity).findBy(models.map((modelId) => ({ modelId })))));
  expect(versions).toHaveLength(4);

  const scans = await t.services.scans.latestForModels(system, models);
  expect(scans).toHaveLength(2);
  expect(scans[0].bytesScanned).toBe(5_000_000_000n);
  expect(scans).toEqual(expect.arrayContaining(await repo(ScanResultEntity).findBy(models.map((modelId) => ({ modelId })))));

  const benchmarks = await t.services.measurements.benchmarksForModels(system, models);
  expect(benchmarks).toHaveLength(2);
  expect(benchmarks).toEqual(expect.arrayContaining(await repo(BenchmarkEntity).findBy(models.map((modelId) => ({ modelId })))));
  expect(await t.services.licenses.byIds(['Apache-2.0', 'MIT'])).toEqual(expect.arrayContaining(await repo(LicenseEntity).findBy([{ id: 'Apache-2.0' }, { id: 'MIT' }])));
  expect(await t.services.licenses.byIds([])).toEqual([]);
});

test('a caller reading another project sees none of these rows in the batches', async () => {
  const outsider = userCaller({ subject: 'readpath-outsider', roles: [], projects: new Map([[uniqueName('elsewhere'), [Role.VIEWER]]]) });
  expect(await t.services.modelQueries.byIds(outsider, models)).toEqual([]);
  expect(await t.services.versions.forModels(outsider, models)).toEqual([]);
  expect(await t.services.scans.latestForModels(outsider, models)).toEqual([]);
  expect(await t.services.measurements.benchmarksForModels(outsider, models)).toEqual([]);
});

test('the API leaves no process-wide promise hooks on after its Temporal client connects', async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['-r', path.join(ROOT, 'test/support/ts-register.js'), path.join(ROOT, 'test/support/promise-hooks-probe.ts'), process.env.TEST_TEMPORAL_ADDRESS!],
    { cwd: ROOT, timeout: 60_000 },
  );
  expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ before: false, afterConnect: false, healthy: true, afterCall: false, afterStorageRun: true });
});
