import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import { Role } from '../../domain/auth/roles';
import type { VersionRecord } from '../../domain/catalog/catalog-records';
import type { OperationRecord } from '../../domain/onboarding/operation';
import { curlCommand, pythonCommand } from '../../domain/files/upload-command';
import type { GraphQLContext } from '../context';
import { callerOf } from '../governance/governance-access';
import { after, capped } from '../list-caps';
import { Operation } from '../operation/operation.type';
import { Version } from '../version/version.type';
import { fileLoadersOf } from './files.loader';
import { FileChange, FileTreePage, UploadCommand, UploadMode } from './files.type';

@Resolver(() => Version)
export class VersionFilesResolver {
  @FieldResolver(() => FileTreePage, { description: 'One folder of the version (the root by default) as a page of files and folders, ordered by path.' })
  async tree(
    @Root() version: VersionRecord,
    @Ctx() ctx: GraphQLContext,
    @Arg('path', () => String, { nullable: true, description: 'The folder; omitted is the root.' }) path: string | null,
    @Arg('recursive', () => Boolean, { nullable: true, description: 'Every file and folder below, not only the children.' }) recursive: boolean | null,
    @Arg('first', () => Int, { nullable: true, description: 'At most this many (default and largest: FILES_LIST_LIMIT).' }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page.' }) afterPath: string | null,
  ): Promise<FileTreePage> {
    const all = await ctx.services.versionFiles.tree(callerOf(ctx), version.id, path, recursive ?? false);
    const rest = after(all, (e) => e.path, afterPath);
    const entries = capped(rest, first, ctx.limits.filesListLimit) as FileTreePage['entries'];
    return { entries, totalCount: all.length, hasNextPage: rest.length > entries.length, endCursor: entries.at(-1)?.path ?? null };
  }

  @FieldResolver(() => [FileChange], { description: 'Every change of the files while the version was a DRAFT, oldest first.' })
  async fileChanges(@Root() version: VersionRecord, @Ctx() ctx: GraphQLContext, @Arg('first', () => Int, { nullable: true, description: 'At most this many (default and largest: FILES_LIST_LIMIT).' }) first: number | null) {
    return capped(await fileLoadersOf(ctx).changesByVersion.load(version.id), first, ctx.limits.filesListLimit);
  }

  @FieldResolver(() => Int, { description: 'Whole-file and archive downloads of this version (API, hub API and presigned).' })
  downloadCount(@Root() version: VersionRecord, @Ctx() ctx: GraphQLContext): Promise<number> {
    return fileLoadersOf(ctx).downloadsByVersion.load(version.id);
  }

  @FieldResolver(() => [String], { description: 'Names of the model\'s aliases pointing at this version (`default` included).' })
  async aliases(@Root() version: VersionRecord, @Ctx() ctx: GraphQLContext): Promise<string[]> {
    return (await fileLoadersOf(ctx).aliasesByModel.load(version.modelId)).filter((a) => a.versionId === version.id).map((a) => a.name);
  }

  // @Authorized(EDITOR): the least role anywhere; the service checks the editor role in the version's project.
  @Authorized(Role.EDITOR)
  @Mutation(() => Version, { description: 'Creates an (empty) folder in a DRAFT version.' })
  createFolder(@Ctx() ctx: GraphQLContext, @Arg('versionId', () => ID) versionId: string, @Arg('path', () => String) path: string): Promise<VersionRecord> {
    return ctx.services.versionFiles.createFolder(callerOf(ctx), versionId, path);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => Version, { description: 'Moves or renames a file or folder of a DRAFT version; the target must not exist.' })
  moveFile(@Ctx() ctx: GraphQLContext, @Arg('versionId', () => ID) versionId: string, @Arg('from', () => String) from: string, @Arg('to', () => String) to: string): Promise<VersionRecord> {
    return ctx.services.versionFiles.move(callerOf(ctx), versionId, from, to);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => Version, { description: 'Removes a file, or a folder with everything in it, from a DRAFT version.' })
  removeFile(@Ctx() ctx: GraphQLContext, @Arg('versionId', () => ID) versionId: string, @Arg('path', () => String) path: string): Promise<VersionRecord> {
    return ctx.services.versionFiles.remove(callerOf(ctx), versionId, path);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => Operation, {
    description: 'Ends a DRAFT\'s editing: the version moves to INGESTING (files immutable from then on) and its uploads are verified and scanned like an import.',
  })
  submitVersion(@Ctx() ctx: GraphQLContext, @Arg('versionId', () => ID) versionId: string): Promise<OperationRecord> {
    return ctx.services.submissions.submit(callerOf(ctx), versionId);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => UploadCommand, { description: 'A ready-to-run upload command with a short-lived token that writes this DRAFT version only.' })
  async uploadCommand(
    @Ctx() ctx: GraphQLContext,
    @Arg('versionId', () => ID) versionId: string,
    @Arg('mode', () => UploadMode, { nullable: true, defaultValue: UploadMode.FOLDER }) mode: UploadMode,
  ): Promise<UploadCommand> {
    const caller = callerOf(ctx);
    // The token stands for this editor role in the version's project, checked here as it is now.
    const { version, project } = await ctx.services.versionFiles.inDraft(caller, versionId, 'Uploading files', async (_tx, v, p) => ({ version: v, project: p }));
    const { token, expiresAt } = await ctx.services.uploadTokens.issue(caller.subject, version.id, project);
    const versionUrl = `${ctx.services.endpoint.base}/files/versions/${version.id}`;
    const target = { versionUrl, token, mode };
    return {
      mode,
      curl: curlCommand(target),
      python: pythonCommand(target),
      token,
      expiresAt,
      uploadUrl: `${versionUrl}/upload`,
      tusEndpoint: `${ctx.services.endpoint.base}/files/uploads`,
      submitUrl: `${versionUrl}/submit`,
    };
  }
}
