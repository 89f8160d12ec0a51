import { Field, ObjectType, registerEnumType } from 'type-graphql';

export enum UpstreamState {
  AVAILABLE = 'AVAILABLE',
  GATED = 'GATED',
  GONE = 'GONE',
}

registerEnumType(UpstreamState, {
  name: 'UpstreamState',
  description: "What the hub last answered for the tracked ref: AVAILABLE, GATED (401/403: gated or private, HF_TOKEN has no access) or GONE (404).",
});

@ObjectType({ description: 'What the upstream watch (run by the reported-scores refresh schedule) last saw of a Hugging Face model\'s repository.' })
export class UpstreamWatch {
  @Field(() => String) repoId!: string;
  @Field(() => String, { description: 'The ref followed: the branch or tag imported from, else main.' }) revision!: string;
  @Field(() => String, { nullable: true, description: 'The commit the ref pointed at.' }) sha!: string | null;
  @Field(() => String, { nullable: true, description: "The card's licence tag (cardData.license)." }) license!: string | null;
  @Field(() => Boolean, { description: 'The hub says the repository is gated.' }) gated!: boolean;
  @Field(() => UpstreamState) state!: UpstreamState;
  @Field(() => Date) checkedAt!: Date;
  @Field(() => Date, { nullable: true, description: 'When the last change (commit, licence, gating, gone) was seen.' }) changedAt!: Date | null;
  @Field(() => Date, { nullable: true, description: 'Since when the card names another licence than the import did: licence checks weigh it from then on.' })
  licenseChangedAt!: Date | null;
}
