import 'reflect-metadata';
import './enums';
import './governance/governance.enums';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { type GraphQLSchema, parse } from 'graphql';
import { buildSchema, createResolversMap } from 'type-graphql';
import { authChecker } from './auth';
import { BenchmarkResolver, EvaluationResolver, LeaderboardEntryResolver, ParetoPointResolver } from './benchmark/benchmark.resolver';
import { BenchmarkHistoryResolver, EvaluationHistoryResolver } from './benchmark/measurement-history.resolver';
import { BenchmarkRunResolver } from './benchmark/benchmark-run.resolver';
import type { GraphQLContext } from './context';
import { LicenseResolver } from './license/license.resolver';
import { resolveModelReference } from './model/model.reference';
import { ModelConnectionResolver, ModelResolver } from './model/model.resolver';
import { VersionResolver } from './version/version.resolver';
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
}

export async function buildSubgraph(events: EventBus = createEventBus()): Promise<Subgraph> {
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
  const schema = buildSubgraphSchema({ typeDefs: parse(sdl), resolvers: resolvers as never });
  return { schema, sdl };
}
