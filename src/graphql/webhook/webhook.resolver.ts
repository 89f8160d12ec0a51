import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Role } from '../../domain/auth/roles';
import { pageSize } from '../../domain/catalog/model-query';
import type { WebhookEndpointRecord } from '../../services/webhooks/webhook-records';
import type { WebhookWithSecret as WithSecret } from '../../services/webhooks/webhook.service';
import type { GraphQLContext } from '../context';
import { callerOf } from '../governance/governance-access';
import { CreateWebhookInput, UpdateWebhookInput, WebhookDelivery, WebhookDeliveryConnection, WebhookEndpoint, WebhookWithSecret } from './webhook.type';

const WHO = 'Needs the editor role in the endpoint\'s project; anyone else gets NOT_FOUND.';

/** Webhook endpoints and their delivery log: editors and admins of the project only (the service checks it). */
@Resolver()
export class WebhookResolver {
  @Authorized(Role.EDITOR)
  @Query(() => [WebhookEndpoint], { description: 'The webhook endpoints of a project. Needs the editor role there.' })
  webhooks(@Ctx() ctx: GraphQLContext, @Arg('project', () => String) project: string): Promise<WebhookEndpointRecord[]> {
    return ctx.services.webhooks.list(callerOf(ctx), project);
  }

  @Authorized(Role.EDITOR)
  @Query(() => WebhookEndpoint, { description: `One webhook endpoint. ${WHO}` })
  webhook(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<WebhookEndpointRecord> {
    return ctx.services.webhooks.get(callerOf(ctx), id);
  }

  @Authorized(Role.EDITOR)
  @Query(() => WebhookDeliveryConnection, { description: `What was sent to an endpoint and how it answered, newest first. ${WHO}` })
  async webhookDeliveries(
    @Ctx() ctx: GraphQLContext,
    @Arg('endpointId', () => ID) endpointId: string,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<WebhookDeliveryConnection> {
    const page = await ctx.services.webhookDeliveries.deliveries(callerOf(ctx), endpointId, pageSize(first, ctx.limits.maxPageSize), after);
    return {
      edges: page.edges,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
    };
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => WebhookWithSecret, { description: 'Creates a webhook endpoint in a project and returns its signing secret, this once. Needs the editor role in the project.' })
  createWebhook(@Ctx() ctx: GraphQLContext, @Arg('input', () => CreateWebhookInput) input: CreateWebhookInput): Promise<WithSecret> {
    return ctx.services.webhooks.create(callerOf(ctx), input);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => WebhookEndpoint, { description: `Changes an endpoint's URL, events, description, or disables / re-enables it. ${WHO}` })
  updateWebhook(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string, @Arg('input', () => UpdateWebhookInput) input: UpdateWebhookInput): Promise<WebhookEndpointRecord> {
    return ctx.services.webhooks.update(callerOf(ctx), id, input);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => WebhookEndpoint, { description: `Disables an endpoint (updateWebhook with enabled: true turns it back on). ${WHO}` })
  disableWebhook(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<WebhookEndpointRecord> {
    return ctx.services.webhooks.update(callerOf(ctx), id, { enabled: false });
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => Boolean, { description: `Deletes an endpoint and its delivery log. ${WHO}` })
  deleteWebhook(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return ctx.services.webhooks.delete(callerOf(ctx), id);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => WebhookWithSecret, {
    description: `A new signing secret, returned this once; the previous one keeps signing (a second signature) for WEBHOOK_ROTATION_WINDOW_MS. ${WHO}`,
  })
  rotateWebhookSecret(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<WithSecret> {
    return ctx.services.webhooks.rotateSecret(callerOf(ctx), id);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => String, { description: `Sends a webhook.ping event to this endpoint only; returns its webhook-id. ${WHO}` })
  async pingWebhook(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<string> {
    return `evt_${await ctx.services.webhooks.ping(callerOf(ctx), id)}`;
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => WebhookDelivery, { description: `Sends a finished delivery again (same webhook-id, a fresh retry window); CONFLICT while it is still pending. ${WHO}` })
  redeliverWebhook(@Ctx() ctx: GraphQLContext, @Arg('deliveryId', () => ID) deliveryId: string) {
    return ctx.services.webhookDeliveries.redeliver(callerOf(ctx), deliveryId);
  }
}
