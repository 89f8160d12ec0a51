import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../model/model-connection.type';

@ObjectType({ description: 'A webhook endpoint of a project: where events are POSTed, signed per Standard Webhooks. Its secret is never shown again after creation or rotation.' })
export class WebhookEndpoint {
  @Field(() => ID) id!: string;
  @Field(() => String) project!: string;
  @Field(() => String) url!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => [String], { description: 'The event types it receives (see the README\'s event catalogue).' }) events!: string[];
  @Field(() => Boolean, { description: 'False when disabled by hand, after a 410 Gone, or after failing for WEBHOOK_DISABLE_AFTER_MS.' }) enabled!: boolean;
  @Field(() => String, { nullable: true }) disabledReason!: string | null;
  @Field(() => Date, { nullable: true }) disabledAt!: Date | null;
  @Field(() => Date, { nullable: true, description: 'Since when every delivery failed (null: the last one succeeded).' }) failingSince!: Date | null;
  @Field(() => Date, { nullable: true, description: 'Until when the previous secret still signs after a rotation (a second signature).' }) previousSecretUntil!: Date | null;
  @Field(() => String) createdBy!: string;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) updatedAt!: Date;
}

@ObjectType({ description: 'An endpoint and its signing secret, shown this once.' })
export class WebhookWithSecret {
  @Field(() => WebhookEndpoint) endpoint!: WebhookEndpoint;
  @Field(() => String, { description: '`whsec_<base64>`: verify deliveries with it (any Standard Webhooks library). Store it now: it is never returned again.' })
  secret!: string;
}

@ObjectType({ description: 'One event sent (or being sent) to one endpoint, with its latest attempt.' })
export class WebhookDelivery {
  @Field(() => ID) id!: string;
  @Field(() => ID) endpointId!: string;
  @Field(() => ID, { description: 'The event (its `webhook-id` header is `evt_<eventId>`, the same on every attempt).' }) eventId!: string;
  @Field(() => String, { description: 'The event type, e.g. version.published.' }) eventType!: string;
  @Field(() => String, { description: 'PENDING (attempting or waiting for a retry), SUCCEEDED, FAILED (gave up) or CANCELLED (endpoint disabled).' }) state!: string;
  @Field(() => Int, { description: 'Attempts made so far.' }) attempts!: number;
  @Field(() => Int, { nullable: true, description: 'HTTP status of the latest attempt (null: no answer).' }) lastStatus!: number | null;
  @Field(() => Int, { nullable: true }) lastLatencyMs!: number | null;
  @Field(() => String, { nullable: true, description: 'The first 256 characters of the latest answer, control characters replaced; never interpreted.' })
  lastResponseExcerpt!: string | null;
  @Field(() => String, { nullable: true, description: 'Why the latest attempt got no usable answer (timeout, refused address, redirect).' }) lastError!: string | null;
  @Field(() => Date, { nullable: true }) nextRetryAt!: Date | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) finishedAt!: Date | null;
}

@ObjectType()
export class WebhookDeliveryEdge {
  @Field(() => String) cursor!: string;
  @Field(() => WebhookDelivery) node!: WebhookDelivery;
}

@ObjectType({ description: 'Deliveries of one endpoint, newest first.' })
export class WebhookDeliveryConnection {
  @Field(() => [WebhookDeliveryEdge]) edges!: WebhookDeliveryEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

@InputType()
export class CreateWebhookInput {
  @Field(() => String) project!: string;
  @Field(() => String, { description: 'http(s); it must pass the outbound policy of URL imports (public addresses, or URL_IMPORT_ALLOW).' }) url!: string;
  @Field(() => [String], { description: 'Event types to receive (the catalogue in the README, webhook.ping excepted).' }) events!: string[];
  @Field(() => String, { nullable: true }) description?: string | null;
}

@InputType({ description: 'Only given fields change. enabled: true re-enables a disabled endpoint.' })
export class UpdateWebhookInput {
  @Field(() => String, { nullable: true }) url?: string | null;
  @Field(() => [String], { nullable: true }) events?: string[] | null;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => Boolean, { nullable: true }) enabled?: boolean | null;
}
