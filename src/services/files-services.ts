import type { DataSource } from 'typeorm';
import type { Config } from '../config/config';
import { systemCaller } from '../domain/auth/caller';
import type { OutOfService } from '../domain/files/out-of-service';
import type { DraftListing } from '../storage/sources/draft-blob-source';
import { AliasService, type AuditRecorder } from './alias.service';
import { HubApiService } from './download-hub.service';
import { DownloadService } from './download.service';
import type { ImportOutcomeService } from './import-outcome.service';
import type { ModelQueryService } from './model-query.service';
import type { OperationService } from './operation.service';
import type { ProjectAccessService } from './project-access.service';
import { ScanQuarantineService } from './scan-quarantine.service';
import type { StorageUsageService } from './storage-usage.service';
import type { StoreRegistry } from './store-registry';
import { UploadService } from './upload.service';
import { UploadTokens } from './upload-tokens';
import { VersionFilesService } from './version-files.service';
import { listFiles } from './version-files-read';
import { VersionSubmitService } from './version-submit.service';
import type { VersionService } from './version.service';
import type { WorkflowGateway } from './workflow-gateway';

export interface FileServiceDeps {
  config: Config;
  stores: StoreRegistry;
  usage: StorageUsageService;
  workflows: WorkflowGateway;
  versions: VersionService;
  modelQueries: ModelQueryService;
  operations: OperationService;
  outcomes: ImportOutcomeService;
  audit: AuditRecorder | null;
  /** Who may read and write a version's files (every method of these services takes the Caller first). */
  access: ProjectAccessService;
  /** Whether a version is out of service (a FAILED rescan): every download path refuses it. Default: ScanQuarantineService's answer. */
  outOfService?: OutOfService;
}

/**
 * A DRAFT's files as the import's draft source lists them: the upload's sha256 is the digest it must match. The
 * import runs as the system, on the submit a user's Caller already authorized.
 */
export function draftListing(db: DataSource): DraftListing {
  const caller = systemCaller('import of a submitted draft');
  return async (versionId) => (await listFiles(db, caller, versionId)).map((f) => ({ path: f.path, size: f.size, sha256: f.sha256, gitBlobId: null }));
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
  const { config, stores } = deps;
  const versionFiles = new VersionFilesService(db, deps.access);
  const downloads = new DownloadService(db, stores, versionFiles, deps.outOfService ?? new ScanQuarantineService(db, deps.access), config.files.presignTtlSeconds);
  const aliases = new AliasService(db, config.files.protectedAliases, deps.access);
  return {
    endpoint: new PublicEndpoint(config.files.publicUrl),
    versionFiles,
    downloads,
    aliases,
    uploads: new UploadService(db, stores, versionFiles, deps.access, config.files, deps.usage),
    uploadTokens: new UploadTokens(config.auth, config.urlImports.secretsKey, config.files.uploadTokenTtlSeconds),
    submissions: new VersionSubmitService(db, versionFiles, deps.operations, deps.workflows, deps.outcomes, deps.access),
    hub: new HubApiService(db, downloads),
  };
}
