import { Field, InputType } from 'type-graphql';
import { SourceType } from '../enums';
import { ModelFieldsInput } from '../model/model.input';

@InputType({ description: 'Where to import from; which fields apply depends on sourceType.' })
export class ImportSourceInput {
  @Field(() => SourceType)
  sourceType!: SourceType;

  @Field(() => String, { nullable: true, description: 'HUGGING_FACE: "org/name".' })
  repoId?: string | null;

  @Field(() => String, { nullable: true, description: 'HUGGING_FACE: branch, tag or commit (default main).' })
  revision?: string | null;

  @Field(() => String, { nullable: true, description: 'URL: http(s) address of one file.' })
  url?: string | null;

  @Field(() => String, { nullable: true, description: 'URL: expected sha256 of the file.' })
  sha256?: string | null;

  @Field(() => String, { nullable: true, description: 'URL: file name to store it under.' })
  fileName?: string | null;

  @Field(() => String, { nullable: true, description: 'DISK: absolute path (file or folder) under DISK_IMPORT_ROOTS.' })
  path?: string | null;

  @Field(() => String, { nullable: true, description: 'CUSTOM: folder under uploads/ in the artifact store.' })
  storagePath?: string | null;
}

@InputType()
export class ImportModelInput extends ModelFieldsInput {
  @Field(() => String, { description: 'Model slug; created if new, else the version is added to it.' })
  name!: string;

  @Field(() => String, { nullable: true, defaultValue: '1.0.0' })
  version?: string | null;

  @Field(() => String, { nullable: true })
  changelog?: string | null;

  @Field(() => ImportSourceInput)
  source!: ImportSourceInput;

  @Field(() => String, {
    nullable: true,
    description: "A public key (PEM, EC P-256/384/521) to check the files' model.sig with, beside the keys the model's project trusts (not where the project requires signatures: there only its own signers count); kept on the version for retries.",
  })
  signingPublicKey?: string | null;
}
