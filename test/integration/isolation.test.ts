import { ApolloGateway, IntrospectAndCompose, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import pino from 'pino';
import { Role } from '../../src/domain/auth/roles';
import { issueToken } from '../../src/services/auth-tokens';
import { createVersion, registerModel } from '../support/catalog-fixtures';
import { type LiveResult, postGraphQL, wsSubscribe } from '../support/live-clients';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

/**
 * Three projects: alice edits `vision`; `secret` is someone else's; `hub` is public. Whatever alice may not
 * see must not show in any read path (NOT_FOUND, null, absent from lists and counts); her writes outside
 * `vision` are NOT_FOUND where she cannot read (exactly like unknown ids) and FORBIDDEN where she can (`hub`).
 */
let t: TestApp;
const tag = uniqueName('iso');
const vision = `${tag}-vision`;
const secret = `${tag}-secret`;
const hub = `${tag}-hub`;
let alice: string;
const ids: Record<'vision' | 'secret' | 'hub', { model: string; name: string; version: string }> = {} as never;
let gatewayUrl: string;
const deployed: string[] = [];
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  t = await startTestApp();
  alice = `Bearer ${await issueToken(t.config.auth, 'alice', [], 3600, new Map([[vision, [Role.EDITOR]]]))}`;
  const configured = await t.gql(`mutation($p: String!) { configureProject(input: { id: $p, public: true }) { public } }`, { p: hub }, { as: Role.ADMIN });
  expect(configured.data!.configureProject.public).toBe(true);
  for (const [key, project] of [['vision', vision], ['secret', secret], ['hub', hub]] as const) {
    const model = await registerModel(t, { name: `${tag}-${key}`, project, tags: [tag] });
    const version = await createVersion(t, model.id, '1.0.0');
    const scored = await t.gql(`mutation($v: ID!) { recordEvaluation(input: { versionId: $v, benchmark: "${tag}", score: 0.5 }) { id } }`, { v: version.id });
    expect(scored.errors).toBeUndefined();
    ids[key] = { model: model.id, name: model.name, version: version.id };
  }
  gatewayUrl = await startGateway();
});

afterAll(async () => {
  for (const stop of stops) await stop();
  await t.stop();
});

const codeOf = (result: LiveResult | undefined) => result?.errors?.[0]?.extensions?.code;
const asAlice = (query: string, variables: Record<string, unknown> = {}) => postGraphQL(t.app.url, alice, query, variables);

test('lists and counts show only her projects and public ones', async () => {
  const res = await asAlice(`query($t: [String!]) { models(filter: { tags: $t }, first: 50) { totalCount edges { node { name project } } } }`, { t: [tag] });
  expect(res.data!.models.edges.map((e: { node: { name: string } }) => e.node.name).sort()).toEqual([ids.hub.name, ids.vision.name].sort());
  expect(res.data!.models.totalCount).toBe(2);
  const everyone = await t.gql(`query($t: [String!]) { models(filter: { tags: $t }) { totalCount } }`, { t: [tag] }, { as: Role.VIEWER });
  expect(everyone.data!.models.totalCount).toBe(3);
});

test('reads of another project are NOT_FOUND, exactly like unknown ids', async () => {
  for (const [query, variables] of [
    [`query($id: ID!) { model(id: $id) { id } }`, { id: ids.secret.model }],
    [`query($n: String!) { modelByName(name: $n) { id } }`, { n: ids.secret.name }],
    [`query($id: ID!) { version(id: $id) { id } }`, { id: ids.secret.version }],
    [`query($m: ID!, $v: ID!) { checkLicense(modelId: $m, versionId: $v) { outcome } }`, { m: ids.secret.model, v: ids.secret.version }],
  ] as const) {
    expect([query, codeOf(await asAlice(query, variables))]).toEqual([query, 'NOT_FOUND']);
  }
  expect((await asAlice(`query($id: ID!) { model(id: $id) { name } }`, { id: ids.hub.model })).data!.model.name).toBe(ids.hub.name);
  expect((await asAlice(`query($id: ID!) { version(id: $id) { model { name } } }`, { id: ids.vision.version })).data!.version.model.name).toBe(ids.vision.name);
});

test('writes to a project she cannot read are NOT_FOUND, to a readable one without the role FORBIDDEN; nothing changes; inside hers they work', async () => {
  const update = `mutation($id: ID!, $d: String, $p: String) { updateModel(id: $id, input: { description: $d, project: $p }) { description } }`;
  expect(codeOf(await asAlice(update, { id: ids.secret.model, d: 'mine now' }))).toBe('NOT_FOUND');
  expect(codeOf(await asAlice(update, { id: ids.hub.model, d: 'public is read-only' }))).toBe('FORBIDDEN');
  expect(codeOf(await asAlice(update, { id: ids.vision.model, d: 'moved', p: secret }))).toBe('NOT_FOUND');
  expect(codeOf(await asAlice(update, { id: ids.vision.model, d: 'moved', p: hub }))).toBe('FORBIDDEN');
  const [row] = await t.dataSource.query('SELECT description, project FROM models WHERE id = $1', [ids.secret.model]);
  expect(row).toEqual({ description: null, project: secret });
  const [own] = await t.dataSource.query('SELECT description, project FROM models WHERE id = $1', [ids.vision.model]);
  expect(own).toEqual({ description: null, project: vision });
  expect((await asAlice(update, { id: ids.vision.model, d: 'ours', p: vision })).data!.updateModel.description).toBe('ours');
  const register = `mutation($n: String!, $p: String) { registerModel(input: { name: $n, sourceType: URL, project: $p }) { project } }`;
  expect(codeOf(await asAlice(register, { n: uniqueName(), p: secret }))).toBe('NOT_FOUND');
  expect(codeOf(await asAlice(register, { n: uniqueName(), p: null }))).toBe('NOT_FOUND');
  expect(codeOf(await asAlice(register, { n: uniqueName(), p: hub }))).toBe('FORBIDDEN');
  expect((await asAlice(register, { n: uniqueName(), p: vision })).data!.registerModel.project).toBe(vision);
  expect(codeOf(await asAlice(`mutation($v: ID!) { recordEvaluation(input: { versionId: $v, benchmark: "x", score: 1 }) { id } }`, { v: ids.secret.version }))).toBe('NOT_FOUND');
  expect(codeOf(await asAlice(`mutation($v: ID!) { requestPromotion(versionId: $v, target: EVALUATED, justification: "x") { id } }`, { v: ids.secret.version }))).toBe('NOT_FOUND');
  expect(codeOf(await asAlice(`mutation($id: ID!) { deleteModel(id: $id) }`, { id: ids.vision.model }))).toBe('FORBIDDEN');
  expect(codeOf(await asAlice(`mutation($m: ID!, $v: ID!) { setAlias(modelId: $m, name: "prod", versionId: $v) { __typename } }`, { m: ids.secret.model, v: ids.secret.version }))).toBe('NOT_FOUND');
  expect(codeOf(await asAlice(`mutation($m: ID!) { createVersion(input: { modelId: $m, version: "9.0.0" }) { id } }`, { m: ids.secret.model }))).toBe('NOT_FOUND');
  expect(codeOf(await asAlice(`mutation($m: ID!) { createVersion(input: { modelId: $m, version: "9.0.0" }) { id } }`, { m: ids.hub.model }))).toBe('FORBIDDEN');
  const [versions] = await t.dataSource.query(`SELECT count(*)::int AS n FROM model_versions WHERE version = '9.0.0' AND model_id = ANY($1::uuid[])`, [[ids.secret.model, ids.hub.model]]);
  expect(versions.n).toBe(0);
});

test('leaderboards, benchmarks lists and the audit log leave other projects out', async () => {
  // The scores were typed in by hand (RECORDED), which a board ranks only when asked for.
  const board = await asAlice(`query($m: String!) { leaderboard(metric: $m, first: 50, provenance: RECORDED) { entries { model { id } } } }`, { m: tag });
  expect(board.data!.leaderboard.entries.map((e: { model: { id: string } }) => e.model.id).sort()).toEqual([ids.hub.model, ids.vision.model].sort());
  const audit = await asAlice(`{ auditLog(first: 100) { edges { node { project } } } }`);
  const projects = new Set(audit.data!.auditLog.edges.map((e: { node: { project: string } }) => e.node.project));
  expect(projects.has(secret)).toBe(false);
  expect(projects.has(vision)).toBe(true);
  expect(codeOf(await asAlice(`query($p: String!) { project(id: $p) { id } }`, { p: secret }))).toBe('NOT_FOUND');
  expect((await asAlice(`query($p: String!) { project(id: $p) { public } }`, { p: hub })).data!.project.public).toBe(true);
});

test('_entities resolves models of other projects to null, directly and through the gateway', async () => {
  const direct = await asAlice(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Model { id } } }`, {
    r: [{ __typename: 'Model', id: ids.secret.model }, { __typename: 'Model', id: ids.vision.model }],
  });
  expect(direct.data!._entities).toEqual([null, { id: ids.vision.model }]);
  deployed.splice(0, deployed.length, ids.secret.model, ids.vision.model, ids.hub.model);
  // `name` lives in ModelHub, so the gateway resolves each reference through _entities with alice's token.
  const joined = await postGraphQL(gatewayUrl, alice, `{ rollouts { model { id name } } }`);
  expect(joined.data!.rollouts).toEqual([{ model: null }, { model: { id: ids.vision.model, name: ids.vision.name } }, { model: { id: ids.hub.model, name: ids.hub.name } }]);
  expect(codeOf(await postGraphQL(gatewayUrl, alice, `query($id: ID!) { model(id: $id) { id } }`, { id: ids.secret.model }))).toBe('NOT_FOUND');
});

test('subscriptions to another project are NOT_FOUND; her own deliver events', async () => {
  const events = `subscription($m: ID!) { modelEvents(modelId: $m) { type audit { action } } }`;
  const refused = await wsSubscribe(t.app.url, alice, events, { m: ids.secret.model }).done;
  expect(codeOf(refused[0])).toBe('NOT_FOUND');
  const own = wsSubscribe(t.app.url, alice, events, { m: ids.vision.model });
  await new Promise((resolve) => setTimeout(resolve, 300));
  await t.gql(`mutation($id: ID!) { updateModel(id: $id, input: { description: "live" }) { id } }`, { id: ids.vision.model });
  const seen = await own.until((e) => e.data?.modelEvents.audit?.action === 'model.updated', 15_000);
  expect(seen.data!.modelEvents.type).toBe('AUDIT');
  own.close();
});

/** A gateway over ModelHub and a deployments subgraph whose Rollout.model points at ModelHub models by key. */
async function startGateway(): Promise<string> {
  const deployments = new ApolloServer({
    logger: pino({ level: 'silent' }),
    schema: buildSubgraphSchema({
      typeDefs: parse(`
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
        type Rollout { id: ID! model: Model }
        type Model @key(fields: "id", resolvable: false) { id: ID! }
        type Query { rollouts: [Rollout!]! }
      `),
      resolvers: { Query: { rollouts: () => deployed.map((id, i) => ({ id: `dep-${i}`, model: { __typename: 'Model', id } })) } },
    }),
  });
  const { url } = await startStandaloneServer(deployments, { listen: { port: 0, host: '127.0.0.1' } });
  const gateway = new ApolloGateway({
    supergraphSdl: new IntrospectAndCompose({ subgraphs: [{ name: 'modelhub', url: t.app.url }, { name: 'deployments', url }] }),
    buildService: ({ url: target }) =>
      new RemoteGraphQLDataSource<{ authorization?: string }>({
        url: target,
        willSendRequest({ request, context }) {
          if (context.authorization) request.http?.headers.set('authorization', context.authorization);
        },
      }),
  });
  const server = new ApolloServer({ gateway, logger: pino({ level: 'silent' }) });
  const started = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' }, context: async ({ req }) => ({ authorization: req.headers.authorization }) });
  stops.push(() => server.stop(), () => deployments.stop());
  return started.url;
}
