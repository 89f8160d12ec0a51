import { Role } from '../../src/domain/auth/roles';
import type { TestApp } from './test-app';
import { uniqueName } from './test-app';

export const MODEL_FIELDS = `
  id name displayName description sourceType sourceUri architecture parameterCount contextLength
  inputModalities outputModalities endpoints tags tasks owner project status createdBy createdAt updatedAt
  license { id commercialUse }
  licenseRestrictions { commercialUse derivatives attributionRequired monthlyActiveUsersLimit notes }
  requirements { minGpuMemoryGb recommendedGpu recommendedGpuCount }
  links { website github huggingFace paper }
  defaultVersion { id version }
`;

export interface RegisteredModel {
  id: string;
  name: string;
  [field: string]: unknown;
}

/** Registers a model through the API (as an editor) and fails the test on any GraphQL error. */
export async function registerModel(t: TestApp, input: Record<string, unknown> = {}): Promise<RegisteredModel> {
  const res = await t.gql<{ registerModel: RegisteredModel }>(
    `mutation Register($input: RegisterModelInput!) { registerModel(input: $input) { ${MODEL_FIELDS} } }`,
    { input: { name: uniqueName(), sourceType: 'HUGGING_FACE', ...input } },
  );
  if (res.errors || !res.data) throw new Error(`registerModel failed: ${JSON.stringify(res.errors)}`);
  return res.data.registerModel;
}

export async function createVersion(
  t: TestApp,
  modelId: string,
  version: string,
  extra: Record<string, unknown> = {},
): Promise<{ id: string; version: string }> {
  const res = await t.gql<{ createVersion: { id: string; version: string } }>(
    `mutation($input: CreateVersionInput!) { createVersion(input: $input) { id version } }`,
    { input: { modelId, version, ...extra } },
  );
  if (res.errors || !res.data) throw new Error(`createVersion failed: ${JSON.stringify(res.errors)}`);
  return res.data.createVersion;
}

/** Moves a version by hand (transitionVersion); `as` picks the role, approver by default. */
export async function transition(t: TestApp, versionId: string, to: string, as: Role = Role.APPROVER) {
  return t.gql<{ transitionVersion: { status: string; model: { status: string } } }>(
    `mutation($id: ID!, $to: LifecycleStage!) { transitionVersion(id: $id, to: $to, reason: "test") { status model { status } } }`,
    { id: versionId, to },
    { as },
  );
}

/**
 * Publishes a version the governed way: an editor requests the promotion, an approver (four eyes) approves it
 * and the approval applies it. Returns the approval's response.
 */
export async function publish(t: TestApp, versionId: string, usage: Record<string, unknown> | null = null) {
  const asked = await t.gql<{ requestPromotion: { id: string } }>(
    `mutation($v: ID!, $u: LicenseUsageInput) { requestPromotion(versionId: $v, target: PUBLISHED, justification: "test", usage: $u) { id } }`,
    { v: versionId, u: usage },
    { as: Role.EDITOR },
  );
  if (asked.errors || !asked.data) return asked as unknown as { errors: NonNullable<typeof asked.errors>; data?: undefined };
  return t.gql<{ approvePromotion: { state: string; version: { status: string; model: { status: string } } } }>(
    `mutation($r: ID!) { approvePromotion(requestId: $r, comment: "ok") { state version { status model { status } } } }`,
    { r: asked.data.requestPromotion.id },
    { as: Role.APPROVER },
  );
}

/**
 * One result of our own evaluation run (MEASURED): the evidence VERIFIED → EVALUATED asks for by default. A score
 * typed in through recordEvaluation is RECORDED and does not count, so the row is written as a run writes it.
 */
export async function recordEvidence(t: TestApp, versionId: string): Promise<void> {
  await t.dataSource.query(
    `INSERT INTO evaluations (model_id, version_id, benchmark, score, recorded_by, provenance, runner)
     SELECT model_id, id, 'mmlu', 0.5, 'evaluation-runner', 'MEASURED', 'lm-eval' FROM model_versions WHERE id = $1`,
    [versionId],
  );
}

/** The first error's extensions.code, or undefined; keeps assertions short and their failures readable. */
export function errorCode(res: { errors?: { extensions?: Record<string, unknown> }[] }): unknown {
  return res.errors?.[0]?.extensions?.code;
}

/**
 * A VERIFIED version as a clean import leaves it (a file with its sha256, a PASSED scan), written as rows: for tests
 * about what happens after verification, with no worker. Its blob is not stored; the rescan schedule must not be
 * pointed at a database holding such versions.
 */
export async function verifiedByRows(t: TestApp, project: string, prefix: string): Promise<{ modelId: string; versionId: string }> {
  const model = await registerModel(t, { name: uniqueName(prefix), project, license: 'MIT' });
  const version = await createVersion(t, model.id, '1.0.0');
  await t.dataSource.query(`INSERT INTO version_files (version_id, path, size, sha256, format) VALUES ($1, 'model.safetensors', 10, $2, 'SAFETENSORS')`, [version.id, 'a'.repeat(64)]);
  await t.dataSource.query(
    `INSERT INTO scan_results (model_id, version_id, scanner, status, findings, files_scanned, bytes_scanned, started_at, completed_at) VALUES ($1, $2, 'clamav+formats', 'PASSED', '[]', 1, 10, now(), now())`,
    [model.id, version.id],
  );
  await t.dataSource.query(`UPDATE model_versions SET status = 'VERIFIED', files_complete = true WHERE id = $1`, [version.id]);
  return { modelId: model.id, versionId: version.id };
}
