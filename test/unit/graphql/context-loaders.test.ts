import pino from 'pino';
import { createContext, type GraphQLContext } from '../../../src/graphql/context';
import { SharedChecks } from '../../../src/graphql/fan-out/shared-checks';
import { createEventBus } from '../../../src/graphql/pubsub';
import type { Services } from '../../../src/services/services';

function context(): GraphQLContext {
  return createContext({
    requestId: 'r1',
    principal: null,
    authFailure: null,
    tokenExpiresAt: null,
    // Building loaders calls no service: they are only read when a loader loads.
    services: {} as Services,
    log: pino({ level: 'silent' }),
    limits: {} as GraphQLContext['limits'],
    events: createEventBus(),
    sharedChecks: new SharedChecks(),
  });
}

test('one set of loaders per request: the same object on every read', () => {
  const ctx = context();
  expect(ctx.loaders).toBe(ctx.loaders);
  expect(typeof ctx.loaders.modelById.load).toBe('function');
});

test('renewing gives fresh loaders (no cache carried over), made when next read', () => {
  const ctx = context();
  const before = ctx.loaders;
  ctx.renewLoaders();
  ctx.renewLoaders();
  const after = ctx.loaders;
  expect(after).not.toBe(before);
  expect(ctx.loaders).toBe(after);
});
