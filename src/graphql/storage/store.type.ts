import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { BigIntScalar } from '../scalars/bigint.scalar';

export enum StoreKind {
  DEFAULT = 'DEFAULT',
  S3 = 'S3',
  FILESYSTEM = 'FILESYSTEM',
}
registerEnumType(StoreKind, { name: 'StoreKind', description: "DEFAULT: the server's own store (ARTIFACT_STORE), shared by every project." });

@ObjectType({ description: 'Bytes stored, each distinct blob once per store (the dedupe is per store).' })
export class StorageUsage {
  @Field(() => BigIntScalar) usedBytes!: bigint;
  @Field(() => Int) blobs!: number;
}

@ObjectType({ description: 'Whether a store answers and takes a write now (a small probe object written and removed when asked).' })
export class StoreHealth {
  @Field(() => Boolean) reachable!: boolean;
  @Field(() => Boolean) writable!: boolean;
  @Field(() => BigIntScalar, { nullable: true, description: 'Free bytes where the store can tell (a filesystem); null for S3.' }) freeBytes!: bigint | null;
  @Field(() => Int) latencyMs!: number;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => Date) checkedAt!: Date;
}

@ObjectType({ description: 'A named artifact store. Seen by admins of its project (the DEFAULT store by every project admin); secrets are never returned.' })
export class Store {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true, description: 'Null for the DEFAULT store.' }) project!: string | null;
  @Field(() => String) name!: string;
  @Field(() => StoreKind) kind!: StoreKind;
  @Field(() => String, { nullable: true }) endpoint!: string | null;
  @Field(() => String, { nullable: true }) bucket!: string | null;
  @Field(() => String, { nullable: true }) prefix!: string | null;
  @Field(() => String, { nullable: true }) region!: string | null;
  @Field(() => Boolean, { nullable: true }) forcePathStyle!: boolean | null;
  @Field(() => String, { nullable: true, description: "A filesystem store's folder; shown to global admins only." }) path!: string | null;
  @Field(() => Boolean, { description: 'Credentials are set (they are write-only: never returned).' }) credentialsSet!: boolean;
  @Field(() => BigIntScalar, { nullable: true, description: 'New uploads and imports past this many bytes in the store are refused (QUOTA_EXCEEDED).' }) quotaBytes!: bigint | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) updatedAt!: Date;
}

@ObjectType()
export class StoreUsageEntry {
  @Field(() => Store) store!: Store;
  @Field(() => StorageUsage) usage!: StorageUsage;
}

@ObjectType({ description: "A project's storage: its default store, quota and usage (admins of the project)." })
export class ProjectStorage {
  @Field(() => String) project!: string;
  @Field(() => Store, { description: 'Where new versions go unless their model names a store.' }) defaultStore!: Store;
  @Field(() => BigIntScalar, { nullable: true }) quotaBytes!: bigint | null;
  @Field(() => StorageUsage) usage!: StorageUsage;
  @Field(() => [StoreUsageEntry], { description: "This project's bytes per store they live in." }) byStore!: StoreUsageEntry[];
}

@InputType()
export class S3StoreInput {
  @Field(() => String, { description: "The S3 API's address (AWS, MinIO, R2, GCS interoperability)." }) endpoint!: string;
  @Field(() => String) bucket!: string;
  @Field(() => String, { nullable: true, description: 'Keys are written under this prefix.' }) prefix?: string | null;
  @Field(() => String, { nullable: true, description: 'Default us-east-1.' }) region?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'Path-style addressing (MinIO); default true.' }) forcePathStyle?: boolean | null;
  @Field(() => String, { description: 'Write-only.' }) accessKeyId!: string;
  @Field(() => String, { description: 'Write-only: sealed at rest, never returned or logged.' }) secretAccessKey!: string;
}

@InputType()
export class CreateStoreInput {
  @Field(() => String) project!: string;
  @Field(() => String) name!: string;
  @Field(() => StoreKind, { description: 'S3 or FILESYSTEM (filesystem stores: global admins only, inside STORE_FS_ROOTS).' }) kind!: StoreKind;
  @Field(() => S3StoreInput, { nullable: true }) s3?: S3StoreInput | null;
  @Field(() => String, { nullable: true, description: "FILESYSTEM: an absolute folder strictly inside one of STORE_FS_ROOTS." }) path?: string | null;
  @Field(() => BigIntScalar, { nullable: true }) quotaBytes?: bigint | null;
}

@InputType({ description: 'Bucket, prefix and folder never change (versions point into them): register a new store and move versions.' })
export class UpdateStoreInput {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true }) endpoint?: string | null;
  @Field(() => String, { nullable: true }) region?: string | null;
  @Field(() => String, { nullable: true, description: 'Write-only; give both keys.' }) accessKeyId?: string | null;
  @Field(() => String, { nullable: true, description: 'Write-only; give both keys.' }) secretAccessKey?: string | null;
  @Field(() => BigIntScalar, { nullable: true }) quotaBytes?: bigint | null;
  @Field(() => Boolean, { nullable: true, description: 'Removes the quota.' }) clearQuota?: boolean | null;
}

@InputType()
export class ConfigureProjectStorageInput {
  @Field(() => String) project!: string;
  @Field(() => ID, { nullable: true, description: "The project's store or the DEFAULT store." }) defaultStoreId?: string | null;
  @Field(() => BigIntScalar, { nullable: true, description: "New uploads and imports past this many bytes in the project are refused (QUOTA_EXCEEDED)." }) quotaBytes?: bigint | null;
  @Field(() => Boolean, { nullable: true }) clearQuota?: boolean | null;
}

@ObjectType()
export class UploadPartUrl {
  @Field(() => Int) partNumber!: number;
  @Field(() => String, { description: 'PUT the part here (straight to the bucket); keep the ETag the answer carries.' }) url!: string;
}

@ObjectType({ description: "A file sent straight to the version's S3 store: PUT each part, then completeDirectUpload with the ETags." })
export class DirectUpload {
  @Field(() => ID) id!: string;
  @Field(() => Boolean, { description: 'The store holds these bytes already: the file is listed, nothing to send.' }) alreadyStored!: boolean;
  @Field(() => BigIntScalar) partSize!: number;
  @Field(() => [UploadPartUrl]) parts!: UploadPartUrl[];
  @Field(() => Date, { description: 'The part URLs stop working then (minutes).' }) expiresAt!: Date;
}

@InputType()
export class BeginDirectUploadInput {
  @Field(() => ID) versionId!: string;
  @Field(() => String) path!: string;
  @Field(() => BigIntScalar) size!: bigint;
  @Field(() => String, { description: "The file's sha256: the assembled object is read back and must match before the file counts." }) sha256!: string;
}

@InputType()
export class UploadedPartInput {
  @Field(() => Int) partNumber!: number;
  @Field(() => String) etag!: string;
}
