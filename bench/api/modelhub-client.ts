import { loadConfig } from '../../src/config/config';
import { Role } from '../../src/domain/auth/roles';
import { issueToken } from '../../src/services/auth-tokens';

interface GraphQLAnswer<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** A bearer token the API started with `jwtSecret` accepts (an editor everywhere: it registers and reads). */
export async function benchToken(jwtSecret: string): Promise<string> {
  const config = loadConfig({ JWT_SECRET: jwtSecret }, process.cwd(), false);
  return issueToken(config.auth, 'bench', [Role.EDITOR], 3600, new Map());
}

/** GraphQL over HTTP as any client sends it (keep-alive connections through fetch). Throws on any error. */
export function graphqlClient(url: string, token: string) {
  return async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as GraphQLAnswer<T>;
    if (body.errors?.length || !body.data) {
      const first = body.errors?.[0];
      throw new Error(`HTTP ${res.status}: ${first ? `${first.extensions?.code ?? ''} ${first.message}` : 'no data'}`);
    }
    return body.data;
  };
}

export type Gql = ReturnType<typeof graphqlClient>;

const REGISTER = `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }`;
const CREATE_VERSION = `mutation($input: CreateVersionInput!) { createVersion(input: $input) { id } }`;

/** A model and its first version: two requests, as MLflow's client makes two. */
export async function registerWithVersion(gql: Gql, name: string, tags: string[]): Promise<string> {
  const id = await registerOnly(gql, name, tags);
  await firstVersion(gql, id, name);
  return id;
}

/** `registerModel` alone (the bench counts each mutation's statements separately). */
export async function registerOnly(gql: Gql, name: string, tags: string[]): Promise<string> {
  const { registerModel } = await gql<{ registerModel: { id: string } }>(REGISTER, {
    input: { name, sourceType: 'HUGGING_FACE', license: 'Apache-2.0', tags, description: `bench model ${name}` },
  });
  return registerModel.id;
}

export async function firstVersion(gql: Gql, modelId: string, name: string): Promise<void> {
  await gql(CREATE_VERSION, { input: { modelId, version: '1.0.0', storagePath: `s3://bench/${name}/1.0.0` } });
}

export async function addVersion(gql: Gql, modelId: string, version: string): Promise<void> {
  await gql(CREATE_VERSION, { input: { modelId, version } });
}

export const PAGE_QUERY = `query($first: Int!, $tag: String!) {
  models(first: $first, filter: { tags: [$tag] }) {
    edges { node {
      id name
      license { id name }
      versions { id version status createdAt }
      latestScan { status completedAt }
      benchmarks { hardwareProfile throughputTokensPerSecond }
    } }
  }
}`;

export interface PageAnswer {
  models: { edges: { node: { id: string; versions: unknown[]; latestScan: unknown; benchmarks: unknown[] } }[] };
}
