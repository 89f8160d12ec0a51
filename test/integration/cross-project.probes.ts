import type { TestApp } from '../support/test-app';

/** B's objects (or their "unknown" twins: same shape, nothing behind them). */
export interface Ids {
  project: string;
  modelId: string;
  modelName: string;
  versionId: string;
  draftVersionId: string;
  operationId: string;
  benchmarkId: string;
  requestId: string;
  cacheId: string;
  uploadId: string;
  deploymentId: string;
  /** A filesystem store registered for the project, and a direct upload into its draft. */
  storeId: string;
  directUploadId: string;
  webhookId: string;
  webhookDeliveryId: string;
}

export interface Fixtures {
  /** Alice's own project, where she is an editor. */
  a: string;
  ownModelId: string;
  b: Ids;
  unknown: Ids;
  /** The ids the probe is asked with this time: B's or the unknown twin's. */
  target: Ids;
}

type Variables = (f: Fixtures) => Record<string, unknown>;

/**
 * `same-as-unknown`: an error answer, identical (ids swapped) to the one for ids that do not exist.
 * `no-leak`: a list or a computed answer that must not show B's objects (compared with the unknown twin too).
 * `none`: the field reads or writes no project data; `why` says so.
 */
export type FieldProbe =
  | { kind: 'same-as-unknown'; document: string; variables: Variables; code?: string; after?: (t: TestApp, f: Fixtures) => Promise<void> }
  | { kind: 'no-leak'; document: string; variables: Variables; after?: (t: TestApp, f: Fixtures) => Promise<void> }
  | { kind: 'none'; why: string };

const notFound = (document: string, variables: Variables): FieldProbe => ({ kind: 'same-as-unknown', document, variables });
const noLeak = (document: string, variables: Variables): FieldProbe => ({ kind: 'no-leak', document, variables });
const target = { url: 'http://127.0.0.1:9/v1', model: 'tiny' };
const profile = { gpuType: 'cpu', gpuCount: 0, engine: 'scripted', engineVersion: '1', quantization: 'fp16' };

export const FIELD_PROBES: ReadonlyMap<string, FieldProbe> = new Map<string, FieldProbe>([
  // Queries
  ['Query.benchmarks', noLeak(`query($m: ID, $v: ID) { benchmarks(modelId: $m, versionId: $v, first: 100) { id } }`, (f) => ({ m: f.target.modelId, v: f.target.versionId }))],
  ['Query.leaderboard', noLeak(`{ leaderboard(metric: "ttft_p50_ms", first: 100) { entries { model { id name } } } }`, () => ({}))],
  ['Query.paretoFront', noLeak(`{ paretoFront(qualityMetric: "mmlu", performanceMetric: "ttft_p50_ms") { points { model { id } } } }`, () => ({}))],
  ['Query.benchmarkHistory', notFound(`query($m: ID!) { benchmarkHistory(modelId: $m) { edges { node { id } } } }`, (f) => ({ m: f.target.modelId }))],
  ['Query.evaluationHistory', notFound(`query($m: ID!) { evaluationHistory(modelId: $m) { edges { node { id } } } }`, (f) => ({ m: f.target.modelId }))],
  ['Query.licenses', { kind: 'none', why: 'the licence catalogue is global reference data' }],
  ['Query.license', { kind: 'none', why: 'the licence catalogue is global reference data' }],
  [
    'Query.recommendModels',
    noLeak(
      `{ recommendModels(input: { hardware: { gpuType: "cpu", gpuCount: 1, gpuMemoryGb: 80 }, stages: [DRAFT, INGESTING, VERIFIED, NEEDS_ATTENTION, EVALUATED, PUBLISHED, ARCHIVED], first: 50 }) {
          candidates recommendations { versionId label version { id } } unmeasured { versionId label version { id } } exclusions { message closest { versionId label } } } }`,
      () => ({}),
    ),
  ],
  ['Query.models', noLeak(`{ models(first: 100) { totalCount edges { node { id name } } } }`, () => ({}))],
  ['Query.model', notFound(`query($id: ID!) { model(id: $id) { id name } }`, (f) => ({ id: f.target.modelId }))],
  ['Query.modelByName', notFound(`query($n: String!) { modelByName(name: $n) { id } }`, (f) => ({ n: f.target.modelName }))],
  [
    'Query.versions',
    noLeak(
      `query($n: String) { versions(first: 100, filter: { or: [{ model: $n }, { not: { prerelease: true } }] }) { totalCount edges { node { id model { id } } } } }`,
      (f) => ({ n: f.target.modelName }),
    ),
  ],
  ['Query.version', notFound(`query($id: ID!) { version(id: $id) { id } }`, (f) => ({ id: f.target.versionId }))],
  ['Query.versionByAlias', notFound(`query($n: String!) { versionByAlias(model: $n, alias: "default") { id } }`, (f) => ({ n: f.target.modelName }))],
  ['Query.operation', notFound(`query($id: ID!) { operation(id: $id) { id } }`, (f) => ({ id: f.target.operationId }))],
  ['Query.auditLog', noLeak(`query($m: ID) { auditLog(first: 100, modelId: $m) { edges { node { subjectId project } } } }`, (f) => ({ m: f.target.modelId }))],
  ['Query.auditLogExport', noLeak(`query($m: ID) { auditLogExport(modelId: $m) { jsonLines } }`, (f) => ({ m: f.target.modelId }))],
  ['Query.checkLicense', notFound(`query($m: ID!, $v: ID!) { checkLicense(modelId: $m, versionId: $v) { outcome } }`, (f) => ({ m: f.target.modelId, v: f.target.versionId }))],
  ['Query.project', notFound(`query($p: String!) { project(id: $p) { id } }`, (f) => ({ p: f.target.project }))],
  ['Query.promotionRequests', noLeak(`query($p: String) { promotionRequests(project: $p, first: 100) { edges { node { id } } } }`, (f) => ({ p: f.target.project }))],
  ['Query.stores', notFound(`query($p: String!) { stores(project: $p) { id } }`, (f) => ({ p: f.target.project }))],
  ['Query.store', notFound(`query($id: ID!) { store(id: $id) { id name } }`, (f) => ({ id: f.target.storeId }))],
  ['Query.projectStorage', notFound(`query($p: String!) { projectStorage(project: $p) { project } }`, (f) => ({ p: f.target.project }))],
  ['Query.webhooks', notFound(`query($p: String!) { webhooks(project: $p) { id url } }`, (f) => ({ p: f.target.project }))],
  ['Query.webhook', notFound(`query($id: ID!) { webhook(id: $id) { id url } }`, (f) => ({ id: f.target.webhookId }))],
  ['Query.webhookDeliveries', notFound(`query($e: ID!) { webhookDeliveries(endpointId: $e) { edges { node { id } } } }`, (f) => ({ e: f.target.webhookId }))],
  ['Query.promotionRequest', notFound(`query($id: ID!) { promotionRequest(id: $id) { id } }`, (f) => ({ id: f.target.requestId }))],
  // Mutations
  ['Mutation.recordBenchmark', notFound(`mutation($v: ID!) { recordBenchmark(input: { versionId: $v, hardwareProfile: "x", ttftP50Ms: 1 }) { id } }`, (f) => ({ v: f.target.versionId }))],
  ['Mutation.recordEvaluation', notFound(`mutation($v: ID!) { recordEvaluation(input: { versionId: $v, benchmark: "x", score: 0.5 }) { id } }`, (f) => ({ v: f.target.versionId }))],
  ['Mutation.runBenchmark', notFound(`mutation($i: RunBenchmarkInput!) { runBenchmark(input: $i) { id } }`, (f) => ({ i: { versionId: f.target.versionId, target, profile, scenario: { api: 'chat', outputTokens: 8, concurrencies: [1], requestsPerLevel: 1 } } }))],
  ['Mutation.runEvaluation', notFound(`mutation($i: RunEvaluationInput!) { runEvaluation(input: $i) { id } }`, (f) => ({ i: { versionId: f.target.versionId, target, suite: { name: 's', tasks: [{ name: 'x', kind: 'EXACT_MATCH', dataset: 'fixtures/exact.jsonl' }] } } }))],
  ['Mutation.registerModel', notFound(`mutation($p: String!) { registerModel(input: { name: "${'xp-reg-'}${Date.now()}", sourceType: CUSTOM, project: $p }) { id } }`, (f) => ({ p: f.target.project }))],
  ['Mutation.updateModel', notFound(`mutation($id: ID!) { updateModel(id: $id, input: { description: "mine" }) { id } }`, (f) => ({ id: f.target.modelId }))],
  ['Mutation.deleteModel', notFound(`mutation($id: ID!) { deleteModel(id: $id) }`, (f) => ({ id: f.target.modelId }))],
  ['Mutation.createVersion', notFound(`mutation($m: ID!) { createVersion(input: { modelId: $m, version: "9.9.9" }) { id } }`, (f) => ({ m: f.target.modelId }))],
  ['Mutation.setDefaultVersion', notFound(`mutation($m: ID!, $v: ID!) { setDefaultVersion(modelId: $m, versionId: $v) { id } }`, (f) => ({ m: f.target.modelId, v: f.target.versionId }))],
  ['Mutation.updateVersion', notFound(`mutation($id: ID!) { updateVersion(id: $id, input: { parameterCount: 1 }) { id } }`, (f) => ({ id: f.target.draftVersionId }))],
  ['Mutation.transitionVersion', notFound(`mutation($id: ID!) { transitionVersion(id: $id, to: EVALUATED, reason: "x") { id } }`, (f) => ({ id: f.target.versionId }))],
  ['Mutation.setAlias', notFound(`mutation($m: ID!, $v: ID!) { setAlias(modelId: $m, name: "staging", versionId: $v) { name } }`, (f) => ({ m: f.target.modelId, v: f.target.versionId }))],
  ['Mutation.removeAlias', notFound(`mutation($m: ID!) { removeAlias(modelId: $m, name: "staging") }`, (f) => ({ m: f.target.modelId }))],
  ['Mutation.createFolder', notFound(`mutation($v: ID!) { createFolder(versionId: $v, path: "x") { id } }`, (f) => ({ v: f.target.draftVersionId }))],
  ['Mutation.moveFile', notFound(`mutation($v: ID!) { moveFile(versionId: $v, from: "a", to: "b") { id } }`, (f) => ({ v: f.target.draftVersionId }))],
  ['Mutation.removeFile', notFound(`mutation($v: ID!) { removeFile(versionId: $v, path: "a") { id } }`, (f) => ({ v: f.target.draftVersionId }))],
  ['Mutation.submitVersion', notFound(`mutation($v: ID!) { submitVersion(versionId: $v) { id } }`, (f) => ({ v: f.target.draftVersionId }))],
  ['Mutation.uploadCommand', notFound(`mutation($v: ID!) { uploadCommand(versionId: $v) { uploadUrl } }`, (f) => ({ v: f.target.draftVersionId }))],
  ['Mutation.scanVersion', notFound(`mutation($v: ID!) { scanVersion(versionId: $v) { id } }`, (f) => ({ v: f.target.versionId }))],
  ['Mutation.scanModel', notFound(`mutation($m: ID!) { scanModel(modelId: $m) { id } }`, (f) => ({ m: f.target.modelId }))],
  ['Mutation.reinstateVersion', notFound(`mutation($v: ID!) { reinstateVersion(versionId: $v) { id } }`, (f) => ({ v: f.target.versionId }))],
  ['Mutation.importModel', {
    kind: 'no-leak',
    document: `mutation($n: String!, $p: String!) { importModel(input: { name: $n, project: $p, source: { sourceType: URL, url: "http://127.0.0.1:9/x.bin" } }) { id } }`,
    variables: (f) => ({ n: f.target.modelName, p: f.a }),
    after: async (t, f) => {
      // Whatever it answered, B's model gained no version.
      const [row] = (await t.dataSource.query('SELECT count(*)::int AS n FROM model_versions WHERE model_id = $1', [f.b.modelId])) as { n: number }[];
      expect(row.n).toBe(2);
    },
  }],
  ['Mutation.retryOperation', notFound(`mutation($id: ID!) { retryOperation(id: $id) { id } }`, (f) => ({ id: f.target.operationId }))],
  ['Mutation.cancelOperation', notFound(`mutation($id: ID!) { cancelOperation(id: $id) { id } }`, (f) => ({ id: f.target.operationId }))],
  ['Mutation.createLocalCache', notFound(`mutation($v: ID!) { createLocalCache(versionId: $v) { id } }`, (f) => ({ v: f.target.versionId }))],
  ['Mutation.evictLocalCache', notFound(`mutation($id: ID!) { evictLocalCache(id: $id) { id } }`, (f) => ({ id: f.target.cacheId }))],
  ['Mutation.acknowledgeLicense', notFound(`mutation($v: ID!) { acknowledgeLicense(versionId: $v) { id } }`, (f) => ({ v: f.target.versionId }))],
  ['Mutation.configureProject', notFound(`mutation($p: String!) { configureProject(input: { id: $p, public: true }) { id } }`, (f) => ({ p: f.target.project }))],
  ['Mutation.createStore', notFound(`mutation($p: String!) { createStore(input: { project: $p, name: "xp", kind: S3, s3: { endpoint: "http://127.0.0.1:9", bucket: "xp-bucket", accessKeyId: "a", secretAccessKey: "b" } }) { id } }`, (f) => ({ p: f.target.project }))],
  ['Mutation.updateStore', notFound(`mutation($id: ID!) { updateStore(input: { id: $id, quotaBytes: 1 }) { id } }`, (f) => ({ id: f.target.storeId }))],
  ['Mutation.deleteStore', notFound(`mutation($id: ID!) { deleteStore(id: $id) }`, (f) => ({ id: f.target.storeId }))],
  ['Mutation.configureProjectStorage', notFound(`mutation($p: String!) { configureProjectStorage(input: { project: $p, quotaBytes: 1 }) { project } }`, (f) => ({ p: f.target.project }))],
  ['Mutation.setModelStore', notFound(`mutation($m: ID!) { setModelStore(modelId: $m, storeId: null) }`, (f) => ({ m: f.target.modelId }))],
  ['Mutation.moveVersion', notFound(`mutation($v: ID!, $s: ID!) { moveVersion(versionId: $v, storeId: $s) { id } }`, (f) => ({ v: f.target.versionId, s: f.target.storeId }))],
  ['Mutation.beginDirectUpload', notFound(`mutation($v: ID!) { beginDirectUpload(input: { versionId: $v, path: "x.bin", size: 10, sha256: "${'0'.repeat(64)}" }) { id } }`, (f) => ({ v: f.target.draftVersionId }))],
  ['Mutation.completeDirectUpload', notFound(`mutation($id: ID!) { completeDirectUpload(id: $id, parts: [{ partNumber: 1, etag: "x" }]) { path } }`, (f) => ({ id: f.target.directUploadId }))],
  ['Mutation.abortDirectUpload', notFound(`mutation($id: ID!) { abortDirectUpload(id: $id) }`, (f) => ({ id: f.target.directUploadId }))],
  ['Mutation.requestPromotion', notFound(`mutation($v: ID!) { requestPromotion(versionId: $v, target: EVALUATED, justification: "x") { id } }`, (f) => ({ v: f.target.versionId }))],
  ['Mutation.approvePromotion', notFound(`mutation($r: ID!) { approvePromotion(requestId: $r) { id } }`, (f) => ({ r: f.target.requestId }))],
  ['Mutation.rejectPromotion', notFound(`mutation($r: ID!) { rejectPromotion(requestId: $r, reason: "x") { id } }`, (f) => ({ r: f.target.requestId }))],
  ['Mutation.withdrawPromotion', notFound(`mutation($r: ID!) { withdrawPromotion(requestId: $r) { id } }`, (f) => ({ r: f.target.requestId }))],
  ['Mutation.archiveVersion', notFound(`mutation($v: ID!) { archiveVersion(versionId: $v, reason: "x") { id } }`, (f) => ({ v: f.target.versionId }))],
  ['Mutation.recordDeployment', notFound(`mutation($v: ID!) { recordDeployment(input: { versionId: $v, environment: "prod", endpoint: "svc/x" }) { id } }`, (f) => ({ v: f.target.versionId }))],
  ['Mutation.endDeployment', notFound(`mutation($id: ID!) { endDeployment(id: $id, reason: "x") { id } }`, (f) => ({ id: f.target.deploymentId }))],
  ['Mutation.refreshReportedScores', notFound(`mutation($m: ID!) { refreshReportedScores(modelId: $m) { changed } }`, (f) => ({ m: f.target.modelId }))],
  ['Mutation.createWebhook', notFound(`mutation($p: String!) { createWebhook(input: { project: $p, url: "http://127.0.0.1:9/hook", events: ["version.created"] }) { secret } }`, (f) => ({ p: f.target.project }))],
  ['Mutation.updateWebhook', notFound(`mutation($id: ID!) { updateWebhook(id: $id, input: { url: "http://127.0.0.1:9/mine" }) { id } }`, (f) => ({ id: f.target.webhookId }))],
  ['Mutation.disableWebhook', notFound(`mutation($id: ID!) { disableWebhook(id: $id) { id } }`, (f) => ({ id: f.target.webhookId }))],
  ['Mutation.deleteWebhook', notFound(`mutation($id: ID!) { deleteWebhook(id: $id) }`, (f) => ({ id: f.target.webhookId }))],
  ['Mutation.rotateWebhookSecret', notFound(`mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }`, (f) => ({ id: f.target.webhookId }))],
  ['Mutation.pingWebhook', notFound(`mutation($id: ID!) { pingWebhook(id: $id) }`, (f) => ({ id: f.target.webhookId }))],
  ['Mutation.redeliverWebhook', notFound(`mutation($d: ID!) { redeliverWebhook(deliveryId: $d) { id } }`, (f) => ({ d: f.target.webhookDeliveryId }))],
  // Subscriptions
  ['Subscription.operationProgress', notFound(`subscription($id: ID!) { operationProgress(id: $id) { id } }`, (f) => ({ id: f.target.operationId }))],
  ['Subscription.modelEvents', notFound(`subscription($m: ID!) { modelEvents(modelId: $m) { type } }`, (f) => ({ m: f.target.modelId }))],
]);

export type RouteProbe =
  | { kind: 'same-as-unknown'; status?: number; request: (f: Fixtures) => { path: string; headers?: Record<string, string>; body?: string } }
  | { kind: 'none'; why: string };

const tus = { 'tus-resumable': '1.0.0' };
const b64 = (value: string) => Buffer.from(value).toString('base64');
const json = { 'content-type': 'application/json' };
const hf = (f: Fixtures) => `/hf/api/models/${f.target.project}/${f.target.modelName}`;

export const ROUTE_PROBES: ReadonlyMap<string, RouteProbe> = new Map<string, RouteProbe>([
  ['GET /health', { kind: 'none', why: 'liveness of the process, no project data' }],
  ['GET /metrics', { kind: 'none', why: 'Prometheus metrics: counts and durations by operation, workflow type and scanner, never ids, names or rows of a project; loopback or METRICS_TOKEN only' }],
  ['GET /', { kind: 'none', why: 'redirects a browser to the console or the explorer page, no project data' }],
  ['GET /signing/public-key.pem', { kind: 'none', why: "the registry's public signing key, the same for every caller; no project data" }],
  ['GET /graphql', { kind: 'none', why: 'the GraphiQL page for a browser (static file); its queries are GraphQL requests with their own probes' }],
  ['PUT /files/versions/:versionId/upload/*path', { kind: 'same-as-unknown', request: (f) => ({ path: `/files/versions/${f.target.draftVersionId}/upload/w.bin`, body: 'abcd' }) }],
  ['POST /files/versions/:versionId/submit', { kind: 'same-as-unknown', request: (f) => ({ path: `/files/versions/${f.target.draftVersionId}/submit` }) }],
  ['GET /files/versions/:versionId/download/*path', { kind: 'same-as-unknown', request: (f) => ({ path: `/files/versions/${f.target.versionId}/download/config.json` }) }],
  ['HEAD /files/versions/:versionId/download/*path', { kind: 'same-as-unknown', request: (f) => ({ path: `/files/versions/${f.target.versionId}/download/config.json` }) }],
  ['GET /files/versions/:versionId/tar', { kind: 'same-as-unknown', request: (f) => ({ path: `/files/versions/${f.target.versionId}/tar` }) }],
  ['OPTIONS /files/uploads', { kind: 'none', why: 'tus capability discovery, no project data' }],
  ['POST /files/uploads', { kind: 'same-as-unknown', request: (f) => ({ path: '/files/uploads', headers: { ...tus, 'upload-length': '4', 'upload-metadata': `versionId ${b64(f.target.draftVersionId)},path ${b64('w.bin')}` } }) }],
  ['HEAD /files/uploads/:id', { kind: 'same-as-unknown', request: (f) => ({ path: `/files/uploads/${f.target.uploadId}`, headers: tus }) }],
  ['PATCH /files/uploads/:id', { kind: 'same-as-unknown', request: (f) => ({ path: `/files/uploads/${f.target.uploadId}`, headers: { ...tus, 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' }, body: 'ab' }) }],
  ['DELETE /files/uploads/:id', { kind: 'same-as-unknown', request: (f) => ({ path: `/files/uploads/${f.target.uploadId}`, headers: tus }) }],
  ['GET /hf/api/models/:ns/:name', { kind: 'same-as-unknown', request: (f) => ({ path: hf(f) }) }],
  ['GET /hf/api/models/:ns/:name/revision/:rev', { kind: 'same-as-unknown', request: (f) => ({ path: `${hf(f)}/revision/main` }) }],
  ['GET /hf/api/models/:ns/:name/tree/:rev', { kind: 'same-as-unknown', request: (f) => ({ path: `${hf(f)}/tree/main` }) }],
  ['GET /hf/api/models/:ns/:name/tree/:rev/*path', { kind: 'same-as-unknown', request: (f) => ({ path: `${hf(f)}/tree/main/tokenizer` }) }],
  ['POST /hf/api/models/:ns/:name/paths-info/:rev', { kind: 'same-as-unknown', request: (f) => ({ path: `${hf(f)}/paths-info/main`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ paths: ['config.json'] }) }) }],
  ['GET /hf/:ns/:name/resolve/:rev/*path', { kind: 'same-as-unknown', request: (f) => ({ path: `/hf/${f.target.project}/${f.target.modelName}/resolve/main/config.json` }) }],
  ['HEAD /hf/:ns/:name/resolve/:rev/*path', { kind: 'same-as-unknown', request: (f) => ({ path: `/hf/${f.target.project}/${f.target.modelName}/resolve/main/config.json` }) }],
  // The hub's write protocol (hf-push.routes.ts): B's repository answers RepoNotFound like one that does not exist.
  ['POST /hf/api/repos/create', { kind: 'same-as-unknown', request: (f) => ({ path: '/hf/api/repos/create', headers: json, body: JSON.stringify({ name: 'xp-hf-created', organization: f.target.project, type: 'model' }) }) }],
  ['POST /hf/api/models/:ns/:name/branch/:branch', { kind: 'same-as-unknown', request: (f) => ({ path: `${hf(f)}/branch/7.0.0`, headers: json, body: '{}' }) }],
  ['POST /hf/api/models/:ns/:name/preupload/:rev', { kind: 'same-as-unknown', request: (f) => ({ path: `${hf(f)}/preupload/main`, headers: json, body: JSON.stringify({ files: [{ path: 'a.txt', size: 1, sample: 'YQ==' }] }) }) }],
  ['POST /hf/:ns/:name.git/info/lfs/objects/batch', { kind: 'same-as-unknown', request: (f) => ({ path: `/hf/${f.target.project}/${f.target.modelName}.git/info/lfs/objects/batch`, headers: json, body: JSON.stringify({ operation: 'upload', transfers: ['basic'], objects: [{ oid: 'a'.repeat(64), size: 4 }] }) }) }],
  ['POST /hf/:ns/:name.git/info/lfs/objects/verify', { kind: 'same-as-unknown', request: (f) => ({ path: `/hf/${f.target.project}/${f.target.modelName}.git/info/lfs/objects/verify`, headers: json, body: JSON.stringify({ oid: 'a'.repeat(64), size: 4 }) }) }],
  ['POST /hf/api/validate-yaml', { kind: 'none', why: 'checks the YAML of a README.md sent in the body; reads no project data' }],
  ['PUT /hf/lfs/:ticket', { kind: 'none', why: 'the ticket (128 random bits the LFS batch gave an editor of the model) is the authority, like a presigned URL; the batch that issues it is probed' }],
  ['POST /hf/lfs/:ticket', { kind: 'none', why: 'the multipart completion of an LFS ticket: the ticket (128 random bits the LFS batch gave an editor of the model) is the authority, like the presigned part URLs; the batch that issues it is probed' }],
  ['POST /hf/api/models/:ns/:name/commit/:rev', { kind: 'same-as-unknown', request: (f) => ({ path: `${hf(f)}/commit/main`, headers: { 'content-type': 'application/x-ndjson' }, body: `${JSON.stringify({ key: 'header', value: { summary: 'x' } })}\n${JSON.stringify({ key: 'file', value: { path: 'a.txt', content: 'YQ==', encoding: 'base64' } })}\n` }) }],
  ['GET /hf/api/models/:ns/:name/refs', { kind: 'same-as-unknown', request: (f) => ({ path: `${hf(f)}/refs` }) }],
  ['GET /hf/api/models/:ns/:name/commits/:rev', { kind: 'same-as-unknown', request: (f) => ({ path: `${hf(f)}/commits/main` }) }],
  ['GET /hf/api/models', { kind: 'same-as-unknown', status: 200, request: (f) => ({ path: `/hf/api/models?author=${f.target.project}&search=${f.target.modelName}` }) }],
  ['GET /hf/api/models/:ns/:name/xet-write-token/:rev', { kind: 'none', why: 'answers 501 (Xet is not spoken here) to everyone, before anything is looked up' }],
  ['GET /benchmarks/:id/samples', { kind: 'same-as-unknown', request: (f) => ({ path: `/benchmarks/${f.target.benchmarkId}/samples` }) }],
]);
