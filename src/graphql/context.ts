import type { Logger } from 'pino';
import type { Config } from '../config/config';
import { type Caller, requireCaller } from '../domain/auth/caller';
import type { Principal } from '../domain/auth/roles';
import type { Services } from '../services/services';
import { measurementLoaders } from './benchmark/benchmark.loader';
import { governanceLoaders } from './governance/governance.loader';
import { licenseLoaders } from './license/license.loader';
import { modelLoaders } from './model/model.loader';
import { operationLoaders } from './operation/operation.loader';
import type { SharedChecks } from './fan-out/shared-checks';
import type { EventBus } from './pubsub';
import { scanLoaders } from './scan/scan.loader';
import { versionLoaders } from './version/version.loader';
import { deploymentLoaders } from './deployment/deployment.loader';
import { upstreamLoaders } from './upstream/upstream.loader';
import { storeLoaders } from './storage/store.loader';

export type Loaders = ReturnType<typeof createLoaders>;

/**
 * Fresh per request (and per WebSocket operation): DataLoader caches must never outlive one. Catalog loaders read
 * as the request's caller (`caller` is asked on first load: UNAUTHENTICATED without a valid token).
 */
export function createLoaders(services: Services, caller: () => Caller) {
  return {
    ...modelLoaders(services, caller),
    ...versionLoaders(services, caller),
    ...licenseLoaders(services),
    ...scanLoaders(services, caller),
    ...measurementLoaders(services, caller),
    ...operationLoaders(services, caller),
    ...governanceLoaders(services, caller),
    ...deploymentLoaders(services, caller),
    ...upstreamLoaders(services, caller),
    ...storeLoaders(services, caller),
  };
}

export interface GraphQLContext {
  readonly requestId: string;
  /** Null when the request carried no valid token; `authFailure` then says why. */
  readonly principal: Principal | null;
  readonly authFailure: string | null;
  /** When the token stops being valid (its `exp`); a subscription ends there with UNAUTHENTICATED. */
  readonly tokenExpiresAt: Date | null;
  readonly services: Services;
  readonly loaders: Loaders;
  /**
   * Replaces `loaders` with empty ones. A subscription keeps one context for its whole life; it renews the
   * loaders before each event, so nested fields are read for that event and never older than it.
   */
  renewLoaders(): void;
  readonly log: Logger;
  readonly limits: Config['limits'];
  readonly events: EventBus;
  /** Subscriptions' access re-checks, shared among subscribers of one scope (see fan-out/shared-checks.ts). */
  readonly sharedChecks: SharedChecks;
}

type ContextFields = Omit<GraphQLContext, 'loaders' | 'renewLoaders'>;

export function createContext(fields: ContextFields): GraphQLContext {
  // Made on first use: a subscription renews them on every event, and most events' fields read none.
  let loaders: Loaders | null = null;
  return {
    ...fields,
    get loaders() {
      loaders ??= createLoaders(fields.services, () => requireCaller(fields.principal, fields.authFailure, fields.requestId));
      return loaders;
    },
    renewLoaders() {
      loaders = null;
    },
  };
}

/**
 * The same caller, services and limits with loaders of its own: a shared subscription execution reads through it,
 * so concurrent executions of one group never share (or renew) each other's DataLoader caches.
 */
export function forkContext(ctx: GraphQLContext): GraphQLContext {
  const { requestId, principal, authFailure, tokenExpiresAt, services, log, limits, events, sharedChecks } = ctx;
  return createContext({ requestId, principal, authFailure, tokenExpiresAt, services, log, limits, events, sharedChecks });
}
