import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { CacheState } from '../../domain/onboarding/manifest';
import { OperationKind, OperationStatus } from '../../domain/onboarding/operation';
import { LifecycleStage } from '../enums';
import { BigIntScalar } from '../scalars/bigint.scalar';

registerEnumType(OperationKind, { name: 'OperationKind' });
registerEnumType(OperationStatus, { name: 'OperationStatus' });
registerEnumType(CacheState, { name: 'CacheState' });

@ObjectType({ description: 'A long-running step (import, local caching) run by a Temporal workflow.' })
export class Operation {
  @Field(() => ID)
  id!: string;

  @Field(() => OperationKind)
  kind!: OperationKind;

  @Field(() => String, { description: 'Temporal workflow id (business key), for Temporal UI.' })
  workflowId!: string;

  @Field(() => OperationStatus)
  status!: OperationStatus;

  @Field(() => Float, { description: '0 to 1.' })
  progress!: number;

  @Field(() => BigIntScalar)
  bytesDone!: bigint;

  @Field(() => BigIntScalar, { nullable: true })
  bytesTotal!: bigint | null;

  @Field(() => String, { nullable: true })
  currentStep!: string | null;

  @Field(() => String, { nullable: true })
  message!: string | null;

  @Field(() => String, { nullable: true })
  errorCode!: string | null;

  @Field(() => String, { nullable: true })
  errorMessage!: string | null;

  @Field(() => Int, { description: 'Increases with every update; events arrive in this order.' })
  sequence!: number;

  @Field(() => String)
  createdBy!: string;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;

  @Field(() => Date, { nullable: true })
  completedAt!: Date | null;
}

@ObjectType({ description: 'A file of a version, content-addressed in the artifact store.' })
export class VersionFile {
  @Field(() => String)
  path!: string;

  @Field(() => BigIntScalar)
  size!: number;

  @Field(() => String)
  sha256!: string;

  @Field(() => String, { description: 'SAFETENSORS, GGUF, PYTORCH, PICKLE, NUMPY, ONNX, CONFIG, TOKENIZER, MODEL_CARD, TEXT, OTHER.' })
  format!: string;
}

@ObjectType({ description: 'Facts read from the artifacts themselves.' })
export class VerifiedMetadata {
  @Field(() => String, { nullable: true }) architecture!: string | null;
  @Field(() => String, { nullable: true }) modelType!: string | null;
  @Field(() => BigIntScalar, { nullable: true, description: 'Exact: the sum of tensor element counts.' }) parameterCount!: string | null;
  @Field(() => Int, { nullable: true }) contextLength!: number | null;
  @Field(() => GraphQLJSONObject, { description: 'Parameters per stored dtype.' }) dtypes!: Record<string, string>;
  @Field(() => String, { nullable: true }) torchDtype!: string | null;
  @Field(() => String, { nullable: true, description: 'GGUF file type, e.g. Q4_K_M.' }) quantization!: string | null;
  @Field(() => String, { nullable: true, description: "From the model card's front matter." }) license!: string | null;
  @Field(() => [String]) tags!: string[];
  @Field(() => String, { nullable: true }) pipelineTag!: string | null;
  @Field(() => String, { nullable: true }) baseModel!: string | null;
}

@ObjectType({ description: 'What the user declared and what the files say, where they disagree.' })
export class MetadataMismatch {
  @Field(() => String) field!: string;
  @Field(() => String) declared!: string;
  @Field(() => String) verified!: string;
}

@ObjectType({ description: 'A ready-to-serve copy of a version on local disk.' })
export class LocalCache {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: "The folder on the holding host's disk." }) path!: string;
  @Field(() => String, { nullable: true, description: 'The worker host whose disk holds the cache; null until one claims it.' }) host!: string | null;
  @Field(() => CacheState) state!: CacheState;
  @Field(() => BigIntScalar) bytes!: bigint;
  @Field(() => String, { nullable: true }) errorMessage!: string | null;
  @Field(() => String) createdBy!: string;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) readyAt!: Date | null;
  @Field(() => Date, { nullable: true }) evictedAt!: Date | null;
  operationId!: string | null;
  versionId!: string;
}

@ObjectType({ description: 'Something happened to a model: an operation moved or its lifecycle status changed.' })
export class ModelEvent {
  @Field(() => String, { description: 'OPERATION or STATUS.' }) type!: string;
  @Field(() => ID) modelId!: string;
  @Field(() => Operation, { nullable: true }) operation!: Operation | null;
  @Field(() => LifecycleStage, { nullable: true }) fromStatus!: LifecycleStage | null;
  @Field(() => LifecycleStage, { nullable: true }) toStatus!: LifecycleStage | null;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => Date) at!: Date;
}
