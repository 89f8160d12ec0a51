import type { DataSource } from 'typeorm';
import type { Principal } from '../domain/auth/roles';
import type { ModelRecord, VersionRecord } from '../domain/catalog/catalog-records';
import { NotFoundError } from '../domain/common/domain-error';
import { DEFAULT_ALIAS, HUB_MAIN } from '../domain/files/alias-name';
import { commitOfVersion, versionOfCommit } from '../domain/files/hub-revision';
import { isUsable } from '../domain/lifecycle/lifecycle';
import { formatSemVer, parseSemVer } from '../domain/versioning/semver';
import { VersionEntity } from '../persistence/entities/version.entity';
import type { AliasService } from './alias.service';
import type { DownloadService } from './download.service';
import type { ModelQueryService } from './model-query.service';

/** Models registered without a project are in this namespace (the governance work's DEFAULT_PROJECT). */
export const DEFAULT_NAMESPACE = 'default';

/** A hub-protocol error: the hub answers these with an `X-Error-Code` clients branch on. */
export class HubNotFoundError extends NotFoundError {
  constructor(
    readonly hubCode: 'RepoNotFound' | 'RevisionNotFound' | 'EntryNotFound',
    entity: string,
    key: string,
  ) {
    super(entity, key);
  }
}

export interface HubRevision {
  model: ModelRecord;
  version: VersionRecord;
  /** The 40-hex "commit" hub clients cache under (derived from the version id). */
  commit: string;
}

/**
 * The Hugging Face read protocol's view of the registry: a repository is `<project>/<model>`, a revision is a
 * version (`1.2.0`), an alias (`production`), `main` (the alias `default`) or the commit a client was told.
 * Only verified versions (VERIFIED, EVALUATED, PUBLISHED) are served: serving engines pull what was checked.
 */
export class HubApiService {
  constructor(
    private readonly db: DataSource,
    private readonly models: ModelQueryService,
    private readonly aliases: AliasService,
    private readonly downloads: DownloadService,
  ) {}

  async repo(namespace: string, name: string): Promise<ModelRecord> {
    const model = await this.models.getByName(name).catch((error: unknown) => {
      if (error instanceof NotFoundError) return null;
      throw error;
    });
    if (!model || (model.project ?? DEFAULT_NAMESPACE) !== namespace) throw new HubNotFoundError('RepoNotFound', 'Repository', `${namespace}/${name}`);
    return model;
  }

  async revision(namespace: string, name: string, revision: string, principal: Principal | null, authFailure: string | null): Promise<HubRevision> {
    const model = await this.repo(namespace, name);
    const versionId = await this.versionIdOf(model, revision);
    if (!versionId) throw new HubNotFoundError('RevisionNotFound', 'Revision', revision);
    const version = await this.downloads.readable(versionId, principal, authFailure).catch((error: unknown) => {
      // A model outside the caller's projects is not there at all, as over GraphQL.
      throw error instanceof NotFoundError ? new HubNotFoundError('RepoNotFound', 'Repository', `${namespace}/${name}`) : error;
    });
    if (version.modelId !== model.id || !isUsable(version.status)) throw new HubNotFoundError('RevisionNotFound', 'Revision', revision);
    return { model, version, commit: commitOfVersion(version.id) };
  }

  private async versionIdOf(model: ModelRecord, revision: string): Promise<string | null> {
    const fromCommit = versionOfCommit(revision);
    if (fromCommit) return fromCommit;
    const semver = (() => {
      try {
        return formatSemVer(parseSemVer(revision));
      } catch {
        return null;
      }
    })();
    if (semver) {
      const found = await this.db.getRepository(VersionEntity).findOneBy({ modelId: model.id, version: semver });
      return found?.id ?? null;
    }
    const alias = revision === HUB_MAIN ? DEFAULT_ALIAS : revision.toLowerCase();
    return (await this.aliases.list([model.id])).find((a) => a.name === alias)?.versionId ?? null;
  }
}
