import { Field, GraphQLISODateTime, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { BigIntScalar } from '../scalars/bigint.scalar';

export enum FileEntryType {
  FILE = 'FILE',
  DIRECTORY = 'DIRECTORY',
}
registerEnumType(FileEntryType, { name: 'FileEntryType' });

export enum UploadMode {
  FILE = 'FILE',
  FOLDER = 'FOLDER',
}
registerEnumType(UploadMode, { name: 'UploadMode', description: 'What the generated upload command uploads: one file, or a folder with everything in it.' });

export enum FileChangeAction {
  ADD = 'ADD',
  REPLACE = 'REPLACE',
  MOVE = 'MOVE',
  REMOVE = 'REMOVE',
  CREATE_FOLDER = 'CREATE_FOLDER',
}
registerEnumType(FileChangeAction, { name: 'FileChangeAction' });

@ObjectType({ description: 'A file or folder of a version.' })
export class FileTreeEntry {
  @Field(() => FileEntryType) type!: FileEntryType;
  @Field(() => String, { description: 'From the version\'s root, "/"-separated.' }) path!: string;
  @Field(() => String) name!: string;
  @Field(() => BigIntScalar, { description: 'A file\'s size, or the sum of the files under a folder.' }) size!: number;
  @Field(() => Int, { description: 'Files under a folder at any depth (1 for a file).' }) fileCount!: number;
  @Field(() => String, { nullable: true }) sha256!: string | null;
  @Field(() => String, { nullable: true }) format!: string | null;
}

@ObjectType({ description: 'One page of a folder\'s entries, ordered by path.' })
export class FileTreePage {
  @Field(() => [FileTreeEntry]) entries!: FileTreeEntry[];
  @Field(() => Int, { description: 'Entries in the folder (all pages).' }) totalCount!: number;
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page (the last entry\'s path).' }) endCursor!: string | null;
}

@ObjectType({ description: 'A change of a DRAFT version\'s files.' })
export class FileChange {
  @Field(() => ID) id!: string;
  @Field(() => FileChangeAction) action!: FileChangeAction;
  @Field(() => String) path!: string;
  @Field(() => String, { nullable: true, description: 'Where a MOVE came from.' }) fromPath!: string | null;
  @Field(() => String, { nullable: true }) sha256!: string | null;
  @Field(() => BigIntScalar, { nullable: true }) size!: number | null;
  @Field(() => String) actor!: string;
  @Field(() => GraphQLISODateTime) occurredAt!: Date;
}

@ObjectType({ description: 'A ready-to-run upload into a DRAFT version, with a token scoped to that version.' })
export class UploadCommand {
  @Field(() => UploadMode) mode!: UploadMode;
  @Field(() => String, { description: 'curl: uploads (PUT per file), then submits the version.' }) curl!: string;
  @Field(() => String, { description: 'Python 3 (standard library only): the same.' }) python!: string;
  @Field(() => String, { description: 'Writes files of this version only; expires at expiresAt (UPLOAD_TOKEN_TTL_S).' }) token!: string;
  @Field(() => GraphQLISODateTime) expiresAt!: Date;
  @Field(() => String, { description: 'PUT <uploadUrl>/<path> uploads one file in one request.' }) uploadUrl!: string;
  @Field(() => String, { description: 'The tus endpoint for resumable uploads (metadata: versionId, path, sha256).' }) tusEndpoint!: string;
  @Field(() => String, { description: 'POST here (same token) to submit the version once its files are up.' }) submitUrl!: string;
}
