import type { DataSource } from 'typeorm';
import type { Config } from '../config/config';
import type { ArtifactStore } from '../storage/artifact-store';
import { createBlobPresigner } from '../storage/s3-presign';
import type { DraftListing } from '../storage/sources/draft-blob-source';
import { AliasService, type AuditRecorder } from './alias.service';
import { HubApiService } from './download-hub.service';
import { DownloadService } from './download.service';
import type { ImportOutcomeService } from './import-outcome.service';
import type { ModelQueryService } from './model-query.service';
import type { OperationService } from './operation.service';
import type { ProjectAccessService } from './project-access.service';
import { UploadService } from './upload.service';
import { UploadTokens } from './upload-tokens';
import { VersionFilesService } from './version-files.service';
import { VersionSubmitService } from './version-submit.service';
import type { VersionService } from './version.service';
import type { WorkflowGateway } from './workflow-gateway';

export interface FileServiceDeps {
  config: Config;
  store: ArtifactStore;
  workflows: WorkflowGateway;
  versions: VersionService;
  modelQueries: ModelQueryService;
  operations: OperationService;
  outcomes: ImportOutcomeService;
  audit: AuditRecorder | null;
  /** Project isolation for reads and writes over HTTP (the GraphQL side has its own guard). */
  access: ProjectAccessService | null;
}

/** A DRAFT's files as the import's draft source lists them: the upload's sha256 is the digest it must match. */
export function draftListing(db: DataSource): DraftListing {
  const files = new VersionFilesService(db);
  return async (versionId) => (await files.files(versionId)).map((f) => ({ path: f.path, size: f.size, sha256: f.sha256, gitBlobId: null }));
}

/**
 * How clients reach this server, for generated commands: PUBLIC_URL, else the address the API bound to
 * (the app fills it in once it listens: with PORT=0 nothing knows it earlier).
 */
export class PublicEndpoint {
  constructor(public url: string | null) {}

  get base(): string {
    return this.url ?? 'http://127.0.0.1:4000';
  }
}

/** Files in and out, aliases and the hub API: built together because they share the version files service. */
export function createFileServices(db: DataSource, deps: FileServiceDeps) {
  const { config, store } = deps;
  const versionFiles = new VersionFilesService(db);
  const presign =
    store.kind === 's3' && config.files.presignTtlSeconds > 0 ? { sign: createBlobPresigner(config.artifacts.s3), ttlSeconds: config.files.presignTtlSeconds } : null;
  const downloads = new DownloadService(db, store, deps.versions, versionFiles, presign, deps.access);
  const aliases = new AliasService(db, config.files.protectedAliases, deps.audit);
  return {
    endpoint: new PublicEndpoint(config.files.publicUrl),
    fileAccess: deps.access,
    versionFiles,
    downloads,
    aliases,
    uploads: new UploadService(db, store, versionFiles, config.files),
    uploadTokens: new UploadTokens(config.auth, config.urlImports.secretsKey, config.files.uploadTokenTtlSeconds),
    submissions: new VersionSubmitService(db, versionFiles, deps.operations, deps.workflows, deps.outcomes),
    hub: new HubApiService(db, deps.modelQueries, aliases, downloads),
  };
}
