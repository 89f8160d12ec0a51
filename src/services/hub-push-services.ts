import type { DataSource } from 'typeorm';
import type { Config } from '../config/config';
import type { StorageUsageService } from './storage-usage.service';
import type { StoreRegistry } from './store-registry';
import type { DirectUploadService } from './storage/direct-upload.service';
import type { HubApiService } from './download-hub.service';
import { HubLfsService } from './hub-lfs.service';
import { HubPushService } from './hub-push.service';
import { HubRefsService } from './hub-refs.service';
import type { ModelCommandService } from './model-command.service';
import type { ProjectAccessService } from './project-access.service';
import type { VersionSubmitService } from './version-submit.service';

export interface HubPushDeps {
  config: Config;
  /** Pushed bytes go to the store the model's next version is created in. */
  stores: StoreRegistry;
  models: ModelCommandService;
  access: ProjectAccessService;
  hub: HubApiService;
  submissions: VersionSubmitService;
  /** The one direct-upload service (GraphQL's direct uploads share it). */
  directUploads: DirectUploadService;
  /** Quotas: an LFS batch and a commit that add bytes past them are refused. */
  usage: StorageUsageService;
}

/** The hub protocol's writes (commits, LFS) and history views, over the one direct-upload path into the store. */
export function createHubPushServices(db: DataSource, deps: HubPushDeps) {
  const { directUploads } = deps;
  const hubLfs = new HubLfsService(db, deps.stores, directUploads, deps.access, deps.usage, deps.config.files.uploadExpiryMs);
  return {
    hubLfs,
    hubPush: new HubPushService(db, deps.hub, deps.models, hubLfs, directUploads, deps.stores, deps.submissions, deps.access, deps.usage),
    hubRefs: new HubRefsService(db, deps.hub),
  };
}
