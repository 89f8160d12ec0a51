import { IntrospectAndCompose, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import pino from 'pino';
import { Role } from '../../src/domain/auth/roles';
import { errorCode, registerModel } from '../support/catalog-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * A second subgraph, as another team would own it: deployments that point at ModelHub models by key.
 * Resolving `Rollout.model` makes the gateway call our `_entities`.
 */
function deploymentsSubgraph(modelIds: () => string[]) {
  return new ApolloServer({
    logger: pino({ level: 'silent' }),
    schema: buildSubgraphSchema({
      typeDefs: parse(`
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
        type Rollout { id: ID! endpoint: String! model: Model }
        type Model @key(fields: "id", resolvable: false) { id: ID! }
        type Query { rollouts: [Rollout!]! }
      `),
      resolvers: {
        Query: {
          rollouts: () => modelIds().map((id, i) => ({ id: `dep-${i}`, endpoint: `https://serve/${i}`, model: { __typename: 'Model', id } })),
        },
      },
    }),
  });
}

let t: TestApp;
let gatewayUrl: string;
let stops: (() => Promise<void>)[] = [];
const deployed: string[] = [];

beforeAll(async () => {
  t = await startTestApp();
  const deployments = deploymentsSubgraph(() => deployed);
  const { url: deploymentsUrl } = await startStandaloneServer(deployments, { listen: { port: 0, host: '127.0.0.1' } });
  const gateway = new ApolloGateway({
    supergraphSdl: new IntrospectAndCompose({
      subgraphs: [
        { name: 'modelhub', url: t.app.url },
        { name: 'deployments', url: deploymentsUrl },
      ],
      // Composition reads each subgraph's _service.sdl; ModelHub serves it without a token.
    }),
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource<{ authorization?: string }>({
        url,
        willSendRequest({ request, context }) {
          if (context.authorization) request.http?.headers.set('authorization', context.authorization);
        },
      }),
  });
  const server = new ApolloServer({ gateway });
  const started = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => ({ authorization: req.headers.authorization }),
  });
  gatewayUrl = started.url;
  stops = [() => server.stop(), () => deployments.stop()];
});

afterAll(async () => {
  for (const stop of stops) await stop();
  await t.stop();
});

async function viaGateway(query: string, role: Role | null = Role.VIEWER) {
  const response = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(role ? { authorization: `Bearer ${await t.token(role)}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as { data?: Record<string, any>; errors?: { extensions?: Record<string, unknown> }[] }; // eslint-disable-line @typescript-eslint/no-explicit-any -- inspected field by field
}

test('the composed supergraph serves ModelHub queries', async () => {
  const model = await registerModel(t, { parameterCount: '70000000000', license: 'MIT' });
  const res = await viaGateway(`{ model(id: "${model.id}") { name parameterCount license { id } } }`);
  expect(res.errors).toBeUndefined();
  expect(res.data!.model).toEqual({ name: model.name, parameterCount: 70000000000, license: { id: 'MIT' } });
});

test("another subgraph's reference to a Model resolves through _entities", async () => {
  const a = await registerModel(t, { architecture: 'LlamaForCausalLM' });
  const b = await registerModel(t, { architecture: 'MistralForCausalLM' });
  deployed.splice(0, deployed.length, a.id, b.id, '00000000-0000-4000-8000-0000000000ff');
  const res = await viaGateway(`{ rollouts { id endpoint model { id name architecture status } } }`);
  const models = res.data!.rollouts.map((d: { model: unknown }) => d.model);
  expect(res.errors).toBeUndefined();
  expect(models).toEqual([
    { id: a.id, name: a.name, architecture: 'LlamaForCausalLM', status: 'DRAFT' },
    { id: b.id, name: b.name, architecture: 'MistralForCausalLM', status: 'DRAFT' },
    // A dangling reference (a deleted model) resolves to null instead of failing the list.
    null,
  ]);
});

test('entity resolution needs the same token as a direct query', async () => {
  const a = await registerModel(t);
  deployed.splice(0, deployed.length, a.id);
  const res = await viaGateway(`{ rollouts { model { name } } }`, null);
  expect(res.data!.rollouts).toEqual([{ model: null }]);
  expect(errorCode(res)).toBe('UNAUTHENTICATED');
});
