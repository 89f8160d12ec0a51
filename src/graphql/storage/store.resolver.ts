import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { VersionRecord } from '../../domain/catalog/catalog-records';
import type { OperationRecord } from '../../domain/onboarding/operation';
import type { StoreHealth as StoreHealthRecord } from '../../domain/storage/store';
import { Role } from '../../domain/auth/roles';
import { ValidationError } from '../../domain/common/domain-error';
import type { StorageUsage as UsageRecord } from '../../services/storage-usage.service';
import type { StoreView } from '../../services/storage/store-views';
import type { GraphQLContext } from '../context';
import { callerOf } from '../governance/governance-access';
import { Operation, VersionFile } from '../operation/operation.type';
import type { DirectUploadPlan } from '../../services/storage/direct-upload.service';
import type { ManifestEntry } from '../../domain/onboarding/manifest';
import { Version } from '../version/version.type';
import { BeginDirectUploadInput, DirectUpload, UploadedPartInput, ConfigureProjectStorageInput, CreateStoreInput, ProjectStorage, StorageUsage, Store, StoreHealth, StoreKind, UpdateStoreInput } from './store.type';

/** ProjectStorage as resolved: stores as the service's views. */
interface ProjectStorageResult {
  project: string;
  defaultStore: StoreView;
  quotaBytes: bigint | null;
  usage: UsageRecord;
  byStore: { store: StoreView; usage: UsageRecord }[];
}

@Resolver(() => Store)
export class StoreResolver {
  @Authorized(Role.ADMIN)
  @Query(() => [Store], { description: "The stores a project's admins may use: the project's own and the DEFAULT store." })
  stores(@Ctx() ctx: GraphQLContext, @Arg('project', () => String) project: string): Promise<StoreView[]> {
    return ctx.services.storeAdmin.list(callerOf(ctx), project);
  }

  @Authorized(Role.ADMIN)
  @Query(() => Store, { description: "A store; one of another project is NOT_FOUND, like an unknown id." })
  store(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<StoreView> {
    return ctx.services.storeAdmin.get(callerOf(ctx), id);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Store, { description: 'Registers a store (probed with a small write first). S3: admins of the project, with the store\'s own credentials; FILESYSTEM: global admins, inside STORE_FS_ROOTS.' })
  createStore(@Ctx() ctx: GraphQLContext, @Arg('input', () => CreateStoreInput) input: CreateStoreInput): Promise<StoreView> {
    if (input.kind === StoreKind.DEFAULT) return Promise.reject(new ValidationError('kind', 'the DEFAULT store is configured by the environment'));
    return ctx.services.storeAdmin.create(callerOf(ctx), { ...input, kind: input.kind === StoreKind.S3 ? 'S3' : 'FILESYSTEM' });
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Store, { description: "Changes a store's endpoint, region, credentials (write-only) or quota." })
  updateStore(@Ctx() ctx: GraphQLContext, @Arg('input', () => UpdateStoreInput) input: UpdateStoreInput): Promise<StoreView> {
    return ctx.services.storeAdmin.update(callerOf(ctx), input.id, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Boolean, { description: 'Removes a store nothing uses (CONFLICT otherwise); its bytes are left where they are.' })
  deleteStore(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return ctx.services.storeAdmin.delete(callerOf(ctx), id);
  }

  @Authorized(Role.ADMIN)
  @Query(() => ProjectStorage, { description: "A project's default store, quota and storage used (per store)." })
  async projectStorage(@Ctx() ctx: GraphQLContext, @Arg('project', () => String) project: string): Promise<ProjectStorageResult> {
    return this.projectStorageOf(ctx, await ctx.services.projectStorage.get(callerOf(ctx), project));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => ProjectStorage, { description: "Sets a project's default store and quota (admins of the project; audited)." })
  async configureProjectStorage(@Ctx() ctx: GraphQLContext, @Arg('input', () => ConfigureProjectStorageInput) input: ConfigureProjectStorageInput): Promise<ProjectStorageResult> {
    return this.projectStorageOf(ctx, await ctx.services.projectStorage.configure(callerOf(ctx), input));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Boolean, { description: "New versions of the model go to this store (null: the project's default). Existing versions stay: moveVersion them." })
  setModelStore(@Ctx() ctx: GraphQLContext, @Arg('modelId', () => ID) modelId: string, @Arg('storeId', () => ID, { nullable: true }) storeId: string | null): Promise<boolean> {
    return ctx.services.projectStorage.setModelStore(callerOf(ctx), modelId, storeId ?? null);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Operation, {
    description:
      "Moves a version's files to another store of its project: copied, each verified by sha256 in the target, then switched atomically; the old copy is freed by the blob collector after its grace period. A failed or cancelled move leaves the version where it was.",
  })
  moveVersion(@Ctx() ctx: GraphQLContext, @Arg('versionId', () => ID) versionId: string, @Arg('storeId', () => ID) storeId: string): Promise<OperationRecord> {
    return ctx.services.storeMoves.request(callerOf(ctx), versionId, storeId);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => DirectUpload, { description: "Starts an upload straight to the DRAFT version's S3 store (multipart, presigned part URLs that live minutes). Editors of the version's project." })
  beginDirectUpload(@Ctx() ctx: GraphQLContext, @Arg('input', () => BeginDirectUploadInput) input: BeginDirectUploadInput): Promise<DirectUploadPlan> {
    const size = Number(input.size);
    return ctx.services.directUploads.begin(callerOf(ctx), { versionId: input.versionId, path: input.path, size, sha256: input.sha256 });
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => VersionFile, { description: 'Assembles the parts, reads the object back and checks its sha256 and size; only then is the file listed in the version (BAD_USER_INPUT on a mismatch).' })
  completeDirectUpload(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string, @Arg('parts', () => [UploadedPartInput]) parts: UploadedPartInput[]): Promise<ManifestEntry> {
    return ctx.services.directUploads.complete(callerOf(ctx), id, parts);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => Boolean, { description: 'Abandons a direct upload; the parts sent are dropped by the store.' })
  abortDirectUpload(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return ctx.services.directUploads.abort(callerOf(ctx), id);
  }

  @FieldResolver(() => StoreHealth)
  health(@Ctx() ctx: GraphQLContext, @Root() store: StoreView): Promise<StoreHealthRecord> {
    return ctx.services.storeAdmin.health(callerOf(ctx), store.id);
  }

  @FieldResolver(() => StorageUsage, { nullable: true, description: "Bytes in the store; for the DEFAULT store (every project's bytes) only global admins see it." })
  async usage(@Ctx() ctx: GraphQLContext, @Root() store: StoreView): Promise<UsageRecord | null> {
    if (store.project === null && !(await ctx.services.storeAdmin.seesDefaultUsage(callerOf(ctx)))) return null;
    return ctx.loaders.storeUsage.load(store.id);
  }

  private async projectStorageOf(ctx: GraphQLContext, view: Awaited<ReturnType<GraphQLContext['services']['projectStorage']['get']>>): Promise<ProjectStorageResult> {
    const caller = callerOf(ctx);
    const defaultStore = await ctx.services.storeAdmin.get(caller, view.defaultStoreId);
    const byStore = await Promise.all(view.byStore.map(async (entry) => ({ store: await ctx.services.storeAdmin.get(caller, entry.storeId), usage: entry.usage })));
    return { project: view.project, defaultStore, quotaBytes: view.quotaBytes, usage: view.usage, byStore };
  }
}

@Resolver(() => Version)
export class VersionStoreResolver {
  @FieldResolver(() => String, { description: 'The name of the artifact store holding this version\'s files.' })
  async storeName(@Ctx() ctx: GraphQLContext, @Root() version: VersionRecord): Promise<string> {
    return (await ctx.loaders.versionStore.load(version.id))?.storeName ?? 'default';
  }
}
