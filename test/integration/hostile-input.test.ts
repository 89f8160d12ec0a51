import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SignJWT } from 'jose';
import { Role } from '../../src/domain/auth/roles';
import { encodeCursor, ModelOrder } from '../../src/domain/catalog/model-query';
import { ggufLongArchitecture, ggufNestedArrays, safetensorsWithDtype } from '../fixtures/hostile-files';
import { llamaConfig } from '../fixtures/model-files';
import { createVersion, errorCode, registerModel } from '../support/catalog-fixtures';
import { importModel, waitForOperation } from '../support/onboarding-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

/** The cases of issue 8 an attacker tries with input: each answers a clear error and the service stays responsive. */

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ worker: true });
});
afterAll(async () => {
  await t?.stop();
});

async function responsive(): Promise<void> {
  const started = Date.now();
  const res = await t.gql('{ licenses { id } }', {}, { as: Role.VIEWER });
  expect(res.errors).toBeUndefined();
  expect(Date.now() - started).toBeLessThan(1000);
}

test('NUL bytes in a description (literal or variable) are BAD_USER_INPUT naming the field', async () => {
  const viaVariable = await t.gql(`mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }`, {
    input: { name: uniqueName('nul'), sourceType: 'HUGGING_FACE', description: 'weights\u0000DROP' },
  });
  expect(viaVariable.errors![0]).toMatchObject({ message: 'input.description: must not contain NUL characters', extensions: { code: 'BAD_USER_INPUT', field: 'input.description' } });
  const viaLiteral = await t.gql(`mutation { registerModel(input: { name: "${uniqueName('nul')}", sourceType: HUGGING_FACE, description: "a\\u0000b" }) { id } }`);
  expect(viaLiteral.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.description' } });
  const search = await t.gql(`query($s: String) { models(filter: { search: $s }) { totalCount } }`, { s: 'x\u0000' }, { as: Role.VIEWER });
  expect(search.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 's' });
  await responsive();
});

test('a 2,000-character reason of control characters is BAD_USER_INPUT on reason; the version does not move', async () => {
  const model = await registerModel(t);
  const version = await createVersion(t, model.id, '1.0.0');
  const res = await t.gql(`mutation($id: ID!, $reason: String) { transitionVersion(id: $id, to: ARCHIVED, reason: $reason) { status } }`, { id: version.id, reason: '\u0007\u001b'.repeat(1000) }, { as: Role.APPROVER });
  expect(res.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'reason' } });
  expect(res.errors![0].message).toContain('control characters');
  const after = await t.gql(`query($id: ID!) { version(id: $id) { status } }`, { id: version.id }, { as: Role.VIEWER });
  expect(after.data!.version.status).toBe('DRAFT');
});

test('a well-formed cursor with a bad value is BAD_USER_INPUT on after', async () => {
  const forged = encodeCursor({ order: ModelOrder.CREATED_AT_DESC, value: "'; SELECT pg_sleep(10); --", id: '0b9f1d9a-3c1e-4d8e-9b5a-2f4c6d8e0a1b' });
  const res = await t.gql(`query($after: String) { models(after: $after) { totalCount } }`, { after: forged }, { as: Role.VIEWER });
  expect(res.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'after' } });
  await responsive();
});

test('tokens: constructor as a role, no exp, iat a year ahead → UNAUTHENTICATED with the reason', async () => {
  const key = new TextEncoder().encode(t.config.auth.jwtSecret!);
  const now = Math.floor(Date.now() / 1000);
  const base = (claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('mallory').setIssuer('modelhub').setAudience('modelhub');
  const cases: [string, string, RegExp][] = [
    ['constructor role', await base({ role: 'constructor' }).setIssuedAt().setExpirationTime('1h').sign(key), /roles this server does not know: "constructor"/],
    ['__proto__ roles', await base({ roles: ['__proto__', 'admin'] }).setIssuedAt().setExpirationTime('1h').sign(key), /does not know/],
    ['no exp', await base({ roles: ['admin'] }).setIssuedAt().sign(key), /"exp" claim/],
    ['iat a year ahead', await base({ roles: ['admin'] }).setIssuedAt(now + 365 * 86_400).setExpirationTime(now + 365 * 86_400 + 600).sign(key), /"iat"|future/],
    ['a year long', await base({ roles: ['admin'] }).setIssuedAt().setExpirationTime('365d').sign(key), /lives longer/],
  ];
  for (const [label, token, reason] of cases) {
    const res = await t.gql('{ licenses { id } }', {}, { as: null, token });
    expect([label, errorCode(res)]).toEqual([label, 'UNAUTHENTICATED']);
    expect(res.errors![0].message).toMatch(reason);
  }
});

test('crafted files fail verification at once with the reason, not retried', async () => {
  const cases: [string, Buffer, RegExp][] = [
    ['model.gguf', ggufNestedArrays(30_000), /arrays nested more than 4 deep/],
    ['model.safetensors', safetensorsWithDtype('constructor'), /unknown dtype "constructor"/],
    ['model.gguf', ggufLongArchitecture(5000), /general.architecture is 5000 characters long/],
  ];
  for (const [file, bytes, reason] of cases) {
    const dir = path.join(t.config.imports.diskRoots[0], uniqueName('hostile'));
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, file), bytes);
    await writeFile(path.join(dir, 'config.json'), llamaConfig());
    const started = Date.now();
    const res = await importModel(t, { name: uniqueName('hostile'), source: { sourceType: 'DISK', path: dir } });
    expect(res.errors).toBeUndefined();
    const op = await waitForOperation(t, res.data!.importModel.id);
    expect([file, op.status, op.errorMessage]).toEqual([file, 'FAILED', expect.stringMatching(reason)]);
    expect(Date.now() - started).toBeLessThan(20_000);
    const version = await t.gql(`query($id: ID!) { version(id: $id) { status statusReason } }`, { id: res.data!.importModel.version.id }, { as: Role.VIEWER });
    expect(version.data!.version.status).toBe('NEEDS_ATTENTION');
    expect(version.data!.version.statusReason).toMatch(reason);
    await responsive();
  }
});

test('DISK: a missing path and one outside the roots get the same answer', async () => {
  const answers = [];
  for (const p of ['/etc/hostname', path.join(t.config.imports.diskRoots[0], 'no-such-model'), '/no/such/path']) {
    const res = await importModel(t, { name: uniqueName('probe'), source: { sourceType: 'DISK', path: p } });
    answers.push(res.errors![0].message.replace(p, '<path>'));
  }
  expect(new Set(answers).size).toBe(1);
  expect(answers[0]).toBe('path: <path> does not exist under the allowed import roots');
});

test('CUSTOM: a symlink among uploads never reads a file outside the uploads folder', async () => {
  const uploads = path.join(t.config.artifacts.dir, 'uploads');
  const outside = path.join(t.dir, 'secret');
  await mkdir(outside, { recursive: true });
  await writeFile(path.join(outside, 'config.json'), llamaConfig());
  await mkdir(uploads, { recursive: true });
  const linked = uniqueName('linked');
  await symlink(outside, path.join(uploads, linked));
  const res = await importModel(t, { name: uniqueName('custom-link'), source: { sourceType: 'CUSTOM', storagePath: linked } });
  expect(res.errors).toBeUndefined();
  const op = await waitForOperation(t, res.data!.importModel.id);
  expect(op.status).toBe('FAILED');
  expect(op.errorMessage).toContain(`no uploaded files under uploads/${linked}`);
});
