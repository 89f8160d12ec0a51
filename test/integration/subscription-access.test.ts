import { Role } from '../../src/domain/auth/roles';
import { issueToken } from '../../src/services/auth-tokens';
import { type LiveResult, postGraphQL, wsSubscribe } from '../support/live-clients';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

/**
 * A subscription is checked when it opens and again while it runs: a model moved to a project the subscriber
 * cannot read ends its stream with NOT_FOUND before anything written in the new project reaches it.
 */
let t: TestApp;
let alice: string;
let bob: string;
let vision: string;
let secret: string;

beforeAll(async () => {
  t = await startTestApp();
  const tag = uniqueName('subacc');
  vision = `${tag}-vision`;
  secret = `${tag}-secret`;
  alice = `Bearer ${await issueToken(t.config.auth, 'alice', [], 3600, new Map([[vision, [Role.EDITOR]]]))}`;
  bob = `Bearer ${await issueToken(t.config.auth, 'bob', [], 3600, new Map([[secret, [Role.EDITOR]]]))}`;
});

afterAll(async () => {
  await t.stop();
});

const codeOf = (result: LiveResult | undefined) => result?.errors?.[0]?.extensions?.code;

test("modelEvents ends with NOT_FOUND when the model moves to a project the subscriber cannot read; the new project's events never reach it", async () => {
  const registered = await postGraphQL(t.app.url, alice, `mutation($n: String!, $p: String) { registerModel(input: { name: $n, sourceType: CUSTOM, project: $p }) { id } }`, { n: uniqueName('moving'), p: vision });
  const modelId: string = registered.data!.registerModel.id;
  const stream = wsSubscribe(t.app.url, alice, `subscription($m: ID!) { modelEvents(modelId: $m) { type audit { action actor details } } }`, { m: modelId });
  await new Promise((resolve) => setTimeout(resolve, 300));
  await postGraphQL(t.app.url, alice, `mutation($id: ID!) { updateModel(id: $id, input: { description: "before the move" }) { id } }`, { id: modelId });
  await stream.until((e) => e.data?.modelEvents?.audit?.actor === 'alice', 15_000);

  const moved = await t.gql(`mutation($id: ID!, $p: String) { updateModel(id: $id, input: { project: $p }) { project } }`, { id: modelId, p: secret }, { as: Role.ADMIN });
  expect(moved.data!.updateModel.project).toBe(secret);
  const secretWrite = await postGraphQL(t.app.url, bob, `mutation($id: ID!) { updateModel(id: $id, input: { description: "SECRET-DESC" }) { id } }`, { id: modelId });
  expect(secretWrite.errors).toBeUndefined();

  const all = await stream.done;
  expect(codeOf(all.at(-1))).toBe('NOT_FOUND');
  expect(JSON.stringify(all)).not.toContain('SECRET-DESC');
  expect(all.some((e) => e.data?.modelEvents?.audit?.actor === 'bob')).toBe(false);
});

test('operationProgress ends with NOT_FOUND once the operation’s model is no longer readable', async () => {
  // No worker runs in this app: the import's operation stays open, and its row changes by hand below.
  const imported = await postGraphQL(t.app.url, alice, `mutation($n: String!, $p: String!) { importModel(input: { name: $n, project: $p, source: { sourceType: URL, url: "http://127.0.0.1:9/w.dat" } }) { id model { id } } }`, { n: uniqueName('op-moving'), p: vision });
  expect(imported.errors).toBeUndefined();
  const modelId: string = imported.data!.importModel.model.id;
  const operationId: string = imported.data!.importModel.id;
  const stream = wsSubscribe(t.app.url, alice, `subscription($id: ID!) { operationProgress(id: $id) { id status message } }`, { id: operationId });
  await stream.until((e) => e.data?.operationProgress?.id === operationId, 15_000);

  await t.gql(`mutation($id: ID!, $p: String) { updateModel(id: $id, input: { project: $p }) { project } }`, { id: modelId, p: secret }, { as: Role.ADMIN });
  // Past the recheck interval, the operation's next change (cancelled by an admin) is not delivered: the stream ends.
  await new Promise((resolve) => setTimeout(resolve, 2_200));
  const cancelled = await t.gql(`mutation($id: ID!) { cancelOperation(id: $id) { status } }`, { id: operationId }, { as: Role.ADMIN });
  expect(cancelled.errors).toBeUndefined();
  const all = await stream.done;
  expect(codeOf(all.at(-1))).toBe('NOT_FOUND');
  expect(all.some((e) => e.data?.operationProgress?.status === 'CANCELLED')).toBe(false);
});
