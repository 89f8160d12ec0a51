import { SignJWT } from 'jose';
import { Role } from '../../src/domain/auth/roles';
import { errorCode, registerModel, transition } from '../support/catalog-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.stop();
});

describe('lifecycle', () => {
  test('walks the governed path and records who moved it, when, from where and why', async () => {
    const model = await registerModel(t, { license: 'MIT' });
    const path = ['INGESTING', 'NEEDS_ATTENTION', 'INGESTING', 'VERIFIED', 'EVALUATED', 'PUBLISHED', 'ARCHIVED'];
    for (const to of path) {
      const res = await transition(t, model.id, to);
      expect(res.errors).toBeUndefined();
      expect(res.data!.transitionModel.status).toBe(to);
    }
    const res = await t.gql(`query($id: ID!) { model(id: $id) { status transitions { fromStatus toStatus actor reason occurredAt } } }`, { id: model.id });
    const transitions = res.data!.model.transitions as { fromStatus: string | null; toStatus: string; actor: string; occurredAt: string }[];
    expect(transitions.map((x) => [x.fromStatus, x.toStatus])).toEqual([
      [null, 'DRAFT'],
      ['DRAFT', 'INGESTING'],
      ['INGESTING', 'NEEDS_ATTENTION'],
      ['NEEDS_ATTENTION', 'INGESTING'],
      ['INGESTING', 'VERIFIED'],
      ['VERIFIED', 'EVALUATED'],
      ['EVALUATED', 'PUBLISHED'],
      ['PUBLISHED', 'ARCHIVED'],
    ]);
    expect(transitions.slice(1).every((x) => x.actor === 'approver-user')).toBe(true);
    expect(Date.parse(transitions[7].occurredAt)).toBeGreaterThanOrEqual(Date.parse(transitions[0].occurredAt));
  });

  test('a move the state machine forbids is a CONFLICT listing the allowed ones, and changes nothing', async () => {
    const model = await registerModel(t, { license: 'MIT' });
    const res = await transition(t, model.id, 'PUBLISHED');
    expect(errorCode(res)).toBe('CONFLICT');
    expect(res.errors![0].message).toContain('allowed from DRAFT: INGESTING, ARCHIVED');
    expect(res.errors![0].extensions).toMatchObject({ from: 'DRAFT', to: 'PUBLISHED' });
    const [row] = await t.dataSource.query('SELECT status FROM models WHERE id = $1', [model.id]);
    expect(row.status).toBe('DRAFT');
    const [count] = await t.dataSource.query('SELECT count(*)::int AS n FROM lifecycle_transitions WHERE model_id = $1', [model.id]);
    expect(count.n).toBe(1);
  });

  test('publishing needs the approver role and a license', async () => {
    const model = await registerModel(t);
    for (const to of ['INGESTING', 'VERIFIED', 'EVALUATED']) await transition(t, model.id, to, Role.EDITOR);
    expect(errorCode(await transition(t, model.id, 'PUBLISHED', Role.EDITOR))).toBe('FORBIDDEN');
    const unlicensed = await transition(t, model.id, 'PUBLISHED', Role.APPROVER);
    expect(errorCode(unlicensed)).toBe('POLICY_VIOLATION');
    await t.gql(`mutation($id: ID!) { updateModel(id: $id, input: { license: "Apache-2.0" }) { id } }`, { id: model.id });
    expect((await transition(t, model.id, 'PUBLISHED', Role.APPROVER)).data!.transitionModel.status).toBe('PUBLISHED');
  });

  test('an archived model cannot be edited', async () => {
    const model = await registerModel(t);
    await transition(t, model.id, 'ARCHIVED');
    const res = await t.gql(`mutation($id: ID!) { updateModel(id: $id, input: { description: "x" }) { id } }`, { id: model.id });
    expect(errorCode(res)).toBe('CONFLICT');
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
