import { SignJWT } from 'jose';
import { Role } from '../../src/domain/auth/roles';
import { createVersion, errorCode, publish, recordEvidence, registerModel, transition } from '../support/catalog-fixtures';
import { importVerified } from '../support/onboarding-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ worker: true });
});
afterAll(async () => {
  await t.stop();
});

describe('lifecycle per version', () => {
  test('walks the governed path and records who moved the version, when, from where and why', async () => {
    const { modelId, versionId } = await importVerified(t, { license: 'Apache-2.0' });
    await recordEvidence(t, versionId);
    // EVALUATED needs no approvals by default; PUBLISHED goes through a request and another person's approval.
    expect((await transition(t, versionId, 'EVALUATED')).data!.transitionVersion.status).toBe('EVALUATED');
    expect((await publish(t, versionId)).data!.approvePromotion).toMatchObject({ state: 'APPROVED', version: { status: 'PUBLISHED' } });
    expect((await transition(t, versionId, 'ARCHIVED')).data!.transitionVersion.status).toBe('ARCHIVED');
    const res = await t.gql(
      `query($id: ID!) { version(id: $id) { status transitions { versionId fromStatus toStatus actor reason occurredAt } model { status transitions { versionId toStatus } } } }`,
      { id: versionId },
    );
    const version = res.data!.version;
    const moves = version.transitions as { versionId: string; fromStatus: string | null; toStatus: string; actor: string; reason: string; occurredAt: string }[];
    expect(moves.map((x) => [x.fromStatus, x.toStatus])).toEqual([
      [null, 'DRAFT'],
      ['DRAFT', 'INGESTING'],
      ['INGESTING', 'VERIFIED'],
      ['VERIFIED', 'EVALUATED'],
      ['EVALUATED', 'PUBLISHED'],
      ['PUBLISHED', 'ARCHIVED'],
    ]);
    expect(moves.every((x) => x.versionId === versionId)).toBe(true);
    expect(moves[2].actor).toBe('onboarding-worker');
    expect(moves[2].reason).toMatch(/3 files verified/);
    expect(moves.slice(3).map((x) => x.actor)).toEqual(['approver-user', 'approver-user', 'approver-user']);
    // The model summarises its only version; its own history starts with the registration.
    expect(version.model.status).toBe('ARCHIVED');
    expect(version.model.transitions[0]).toEqual({ versionId: null, toStatus: 'DRAFT' });
    const [model] = await t.dataSource.query('SELECT default_version_id FROM models WHERE id = $1', [modelId]);
    expect(model.default_version_id).toBeNull(); // an archived version is never the default
  });

  test('moves only the system makes are refused with how they happen, and change nothing', async () => {
    const model = await registerModel(t, { license: 'MIT' });
    const draft = await createVersion(t, model.id, '0.1.0');
    for (const to of ['INGESTING', 'VERIFIED']) {
      const res = await transition(t, draft.id, to, Role.ADMIN);
      expect(errorCode(res)).toBe('CONFLICT');
    }
    const res = await transition(t, draft.id, 'INGESTING');
    expect(res.errors![0].message).toMatch(/by hand: a version enters INGESTING when its files are imported/);
    const skip = await transition(t, draft.id, 'PUBLISHED');
    expect(skip.errors![0].message).toContain('allowed from DRAFT: INGESTING, ARCHIVED');
    expect(skip.errors![0].extensions).toMatchObject({ code: 'CONFLICT', from: 'DRAFT', to: 'PUBLISHED' });
    const [row] = await t.dataSource.query('SELECT status FROM model_versions WHERE id = $1', [draft.id]);
    expect(row.status).toBe('DRAFT');
    const [count] = await t.dataSource.query('SELECT count(*)::int AS n FROM lifecycle_transitions WHERE version_id = $1', [draft.id]);
    expect(count.n).toBe(1);
  });

  test('EVALUATED needs evidence; publishing needs the approver role, a second person and a license', async () => {
    const { modelId, versionId } = await importVerified(t);
    // A score the model card reports is shown, never evidence: by default only what our own runs measured counts.
    await t.dataSource.query(
      `INSERT INTO evaluations (model_id, version_id, benchmark, score, recorded_by, provenance) VALUES ($1, $2, 'mmlu', 0.9, 'model-card', 'REPORTED')`,
      [modelId, versionId],
    );
    const early = await transition(t, versionId, 'EVALUATED', Role.EDITOR);
    expect(errorCode(early)).toBe('POLICY_VIOLATION');
    expect(early.errors![0].message).toMatch(/no evaluation or benchmark/);
    await recordEvidence(t, versionId);
    expect((await transition(t, versionId, 'EVALUATED', Role.EDITOR)).errors).toBeUndefined();
    expect(errorCode(await transition(t, versionId, 'PUBLISHED', Role.EDITOR))).toBe('FORBIDDEN');
    // Even an approver cannot publish alone: the default policy wants one approval from someone else.
    const alone = await transition(t, versionId, 'PUBLISHED', Role.APPROVER);
    expect(alone.errors![0]).toMatchObject({ extensions: { code: 'POLICY_VIOLATION', gate: 'approvals' } });
    await t.gql(`mutation($id: ID!) { updateModel(id: $id, input: { license: null }) { id } }`, { id: modelId });
    const unlicensed = await publish(t, versionId);
    expect(unlicensed.errors![0]).toMatchObject({ extensions: { code: 'POLICY_VIOLATION', gate: 'license-allowed' } });
    await t.gql(`mutation($id: ID!) { updateModel(id: $id, input: { license: "Apache-2.0" }) { id } }`, { id: modelId });
    const published = await publish(t, versionId);
    expect(published.data!.approvePromotion.version).toEqual({ status: 'PUBLISHED', model: { status: 'PUBLISHED' } });
  });

  test('an unknown version is NOT_FOUND; a malformed id is BAD_USER_INPUT', async () => {
    expect(errorCode(await transition(t, '00000000-0000-4000-8000-000000000000', 'ARCHIVED'))).toBe('NOT_FOUND');
    expect(errorCode(await transition(t, 'nope', 'ARCHIVED'))).toBe('BAD_USER_INPUT');
  });
});

describe('authentication and roles', () => {
  const QUERY = '{ licenses { id } }';

  test('no token, a malformed header, a forged, expired or role-less token are UNAUTHENTICATED', async () => {
    const secret = new TextEncoder().encode(t.config.auth.jwtSecret!);
    const sign = (claims: Record<string, unknown>, key = secret, exp = '1h') =>
      new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('mallory').setIssuer('modelhub').setAudience('modelhub').setIssuedAt().setExpirationTime(exp).sign(key);
    const cases: [string, Record<string, string>][] = [
      ['none', {}],
      ['not bearer', { authorization: 'Basic dXNlcjpwYXNz' }],
      ['garbage', { authorization: 'Bearer not.a.jwt' }],
      ['wrong key', { authorization: `Bearer ${await sign({ roles: ['admin'] }, new TextEncoder().encode('x'.repeat(40)))}` }],
      ['expired', { authorization: `Bearer ${await sign({ roles: ['admin'] }, secret, '-10s')}` }],
      ['no role', { authorization: `Bearer ${await sign({ roles: ['superuser'] })}` }],
    ];
    for (const [label, headers] of cases) {
      const res = await t.gql(QUERY, {}, { as: null, headers });
      expect([label, errorCode(res)]).toEqual([label, 'UNAUTHENTICATED']);
      expect(res.data ?? null).toBeNull();
    }
    const expired = await t.gql(QUERY, {}, { as: null, headers: cases[4][1] });
    expect(expired.errors![0].message).toMatch(/expired/);
  });

  test('each role may do what its rank allows', async () => {
    const viewerRead = await t.gql(QUERY, {}, { as: Role.VIEWER });
    expect(viewerRead.data!.licenses.length).toBeGreaterThanOrEqual(20);
    const viewerWrite = await t.gql(`mutation { registerModel(input: { name: "viewer-cannot", sourceType: URL }) { id } }`, {}, { as: Role.VIEWER });
    expect(errorCode(viewerWrite)).toBe('FORBIDDEN');
    expect(viewerWrite.errors![0].message).toContain('editor');
    const adminWrite = await registerModel(t);
    expect(adminWrite.id).toBeDefined();
  });
});

test('licenses carry their terms; an unknown license id is NOT_FOUND', async () => {
  const res = await t.gql(`{ licenses { id commercialUse derivatives monthlyActiveUsersLimit category } }`, {}, { as: Role.VIEWER });
  const byId = Object.fromEntries(res.data!.licenses.map((l: { id: string }) => [l.id, l]));
  for (const id of ['Apache-2.0', 'MIT', 'Llama-3.1-Community', 'Mistral-Research', 'OpenAI-TOS']) expect(byId[id]).toBeDefined();
  expect(byId['Mistral-Research']).toMatchObject({ commercialUse: false, category: 'RESEARCH' });
  expect(byId['Llama-3.1-Community']).toMatchObject({ commercialUse: true, monthlyActiveUsersLimit: 700000000 });
  expect(byId['OpenAI-TOS']).toMatchObject({ derivatives: false, category: 'PROPRIETARY' });
  const one = await t.gql(`{ license(id: "mit") { id name } }`, {}, { as: Role.VIEWER });
  expect(one.data!.license).toEqual({ id: 'MIT', name: 'MIT License' });
  expect(errorCode(await t.gql(`{ license(id: "nope") { id } }`, {}, { as: Role.VIEWER }))).toBe('NOT_FOUND');
});
