import 'reflect-metadata';
import './enums';
import './governance/governance.enums';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { type GraphQLSchema, parse } from 'graphql';
import { buildSchema, createResolversMap, getMetadataStorage } from 'type-graphql';
import { authChecker } from './auth';
import { BenchmarkResolver, EvaluationResolver, LeaderboardEntryResolver, ParetoPointResolver } from './benchmark/benchmark.resolver';
import { BenchmarkHistoryResolver, EvaluationHistoryResolver } from './benchmark/measurement-history.resolver';
import { BenchmarkRunResolver } from './benchmark/benchmark-run.resolver';
import type { GraphQLContext } from './context';
import { LicenseResolver } from './license/license.resolver';
import { resolveModelReference } from './model/model.reference';
import { ModelConnectionResolver, ModelResolver } from './model/model.resolver';
import { VersionResolver } from './version/version.resolver';
import { VersionListResolver } from './version/version-list.resolver';
import { AliasMutationResolver, ModelAliasesResolver, ModelAliasResolver } from './alias/alias.resolver';
import { VersionFilesResolver } from './files/files.resolver';
import { ScanResolver } from './scan/scan.resolver';
import { LocalCacheResolver, OperationResolver } from './operation/operation.resolver';
import { createEventBus, type EventBus } from './pubsub';
import { AuditConnectionResolver, AuditResolver, ModelEventAuditResolver } from './governance/audit.resolver';
import { LicenseCheckResolver, ModelGovernanceResolver, VersionGovernanceResolver } from './governance/license-check.resolver';
import { ProjectResolver } from './governance/project.resolver';
import { StoreResolver, VersionStoreResolver } from './storage/store.resolver';
import { PromotionResolver } from './governance/promotion.resolver';
import { ReportedScoresResolver } from './reported-scores/reported-scores.resolver';
import { RecommendationResolver, RecommendationVersionResolver, UnmeasuredVersionResolver } from './recommendation/recommendation.resolver';
import { DeploymentResolver, ModelDeploymentsResolver, VersionDeploymentsResolver } from './deployment/deployment.resolver';
import { ModelUpstreamResolver, UpstreamWatchResolver } from './upstream/upstream.resolver';
import { WebhookResolver } from './webhook/webhook.resolver';

const RESOLVERS = [
  ModelResolver,
  StoreResolver,
  VersionStoreResolver,
  ModelConnectionResolver,
  VersionResolver,
  VersionListResolver,
  VersionFilesResolver,
  ModelAliasesResolver,
  ModelAliasResolver,
  AliasMutationResolver,
  ScanResolver,
  LicenseResolver,
  BenchmarkResolver,
  BenchmarkHistoryResolver,
  EvaluationHistoryResolver,
  BenchmarkRunResolver,
  ParetoPointResolver,
  EvaluationResolver,
  LeaderboardEntryResolver,
  OperationResolver,
  LocalCacheResolver,
  PromotionResolver,
  LicenseCheckResolver,
  VersionGovernanceResolver,
  ModelGovernanceResolver,
  AuditResolver,
  ModelEventAuditResolver,
  AuditConnectionResolver,
  ProjectResolver,
  ReportedScoresResolver,
  RecommendationResolver,
  RecommendationVersionResolver,
  UnmeasuredVersionResolver,
  DeploymentResolver,
  VersionDeploymentsResolver,
  ModelDeploymentsResolver,
  UpstreamWatchResolver,
  ModelUpstreamResolver,
  WebhookResolver,
] as const;

const FEDERATION_LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])';

export interface Subgraph {
  schema: GraphQLSchema;
  /** The SDL checked in as schema/subgraph.graphql. */
  sdl: string;
  /**
   * A second executable copy of the same schema (same resolvers), made on first call, for the requests a gateway asks
   * to trace (ftv1): Apollo instruments every field of a schema it traces once and for good, so tracing runs on this
   * copy and `schema` keeps its plain resolvers (src/http/graphql-servers.ts).
   */
  tracedSchema(): GraphQLSchema;
}

/**
 * type-graphql gives every plain property of an object type a resolver of its own (an allocation and a middleware
 * dispatch per field of every object: about a thousand per page of 50 models with their relations), where
 * graphql-js's default resolver reads the same property. Object types are made "simple" unless a field of theirs (or
 * of a class they extend) has @Authorized or a middleware, which only that wrapper would apply; field resolvers keep
 * theirs. The printed schema does not change.
 */
function plainPropertiesReadByDefault(): void {
  const storage = getMetadataStorage();
  const guarded = [...storage.authorizedFields, ...storage.middlewares].map((m) => m.target);
  for (const type of storage.objectTypes) {
    if (!guarded.some((g) => type.target === g || type.target.prototype instanceof g)) type.simpleResolvers ??= true;
  }
}

export async function buildSubgraph(events: EventBus = createEventBus()): Promise<Subgraph> {
  plainPropertiesReadByDefault();
  const typeGraphQLSchema = await buildSchema({
    resolvers: RESOLVERS,
    authChecker,
    // type-graphql insists on a bus; our subscriptions subscribe to it through their own `subscribe` functions.
    pubSub: events,
    // The federation link and _entities come from buildSubgraphSchema below, not from type-graphql.
    skipCheck: true,
  });
  const sdl = `${FEDERATION_LINK}\n\n${printSchemaWithDirectives(typeGraphQLSchema).trim()}\n`;
  const resolvers = createResolversMap(typeGraphQLSchema) as Record<string, Record<string, unknown>>;
  resolvers.Model = {
    ...resolvers.Model,
    __resolveReference: (reference: { id: string }, ctx: GraphQLContext) => resolveModelReference(reference, ctx),
  };
  // createResolversMap's map is structurally what buildSubgraphSchema takes; its typings differ.
  const executable = () => buildSubgraphSchema({ typeDefs: parse(sdl), resolvers: resolvers as never });
  let traced: GraphQLSchema | null = null;
  return { schema: executable(), sdl, tracedSchema: () => (traced ??= executable()) };
}
