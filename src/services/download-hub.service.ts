import type { DataSource } from 'typeorm';
import type { Caller } from '../domain/auth/caller';
import type { ModelRecord } from '../domain/catalog/catalog-records';
import { NotFoundError } from '../domain/common/domain-error';
import { DEFAULT_ALIAS, HUB_MAIN } from '../domain/files/alias-name';
import { commitOfVersion, isSignedCommit, versionOfCommit } from '../domain/files/hub-revision';
import { PROJECT_SQL } from '../domain/governance/project';
import { formatSemVer, parseSemVer } from '../domain/versioning/semver';
import { ModelEntity } from '../persistence/entities/model.entity';
import type { DownloadService } from './download.service';
import { registrySignedIds } from './signature.service';
import { narrowed, type ReadableVersion } from './version-files-read';

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
  version: ReadableVersion;
  /** The 40-hex "commit" hub clients cache under (derived from the version id). */
  commit: string;
}

function semverOf(revision: string): string | null {
  try {
    return formatSemVer(parseSemVer(revision));
  } catch {
    return null;
  }
}

/**
 * The Hugging Face read protocol's view of the registry: a repository is `<project>/<model>`, a revision is a
 * version (`1.2.0`), an alias (`production`), `main` (the alias `default`) or the commit a client was told.
 * The repository is looked up within what the caller may read, before any revision is resolved: another project's
 * repository is RepoNotFound exactly like one that does not exist, so no revision answer tells it exists. Only
 * usable versions (VERIFIED, EVALUATED, PUBLISHED) are served, and a version out of service is refused (451) under
 * whatever revision names it, through the downloads' one gate.
 */
export class HubApiService {
  constructor(
    private readonly db: DataSource,
    private readonly downloads: DownloadService,
  ) {}

  async repo(caller: Caller, namespace: string, name: string): Promise<ModelRecord> {
    // No project or model name holds NUL (and PostgreSQL text cannot): such a repository does not exist.
    if (namespace.includes('\0') || name.includes('\0')) throw new HubNotFoundError('RepoNotFound', 'Repository', `${namespace}/${name}`.replace(/\0/g, '\\0'));
    const query = this.db
      .getRepository(ModelEntity)
      .createQueryBuilder('m')
      .where('m.name = :name', { name })
      .andWhere(`${PROJECT_SQL('m')} = :namespace`, { namespace: namespace.toLowerCase() });
    const model = await narrowed(query, caller).getOne();
    if (!model) throw new HubNotFoundError('RepoNotFound', 'Repository', `${namespace}/${name}`);
    return model;
  }

  async revision(caller: Caller, namespace: string, name: string, revision: string): Promise<HubRevision> {
    const model = await this.repo(caller, namespace, name);
    const versionId = await this.versionIdOf(model, revision);
    if (!versionId) throw new HubNotFoundError('RevisionNotFound', 'Revision', revision);
    const version = await this.downloads.servable(caller, versionId, 'nobody').catch((error: unknown) => {
      // Not usable (a draft, a failed import): as if the revision were not there; a 451 goes through as it is.
      throw error instanceof NotFoundError ? new HubNotFoundError('RevisionNotFound', 'Revision', revision) : error;
    });
    const signed = (await registrySignedIds(this.db, [version.id])).has(version.id);
    // A commit names one file list forever: the one from before the registry signed it is gone once it has.
    if (versionOfCommit(revision) && isSignedCommit(revision) !== signed) throw new HubNotFoundError('RevisionNotFound', 'Revision', revision);
    return { model, version, commit: commitOfVersion(version.id, signed) };
  }


  /** The version of this model a revision names, or null (a commit or alias of another model names nothing here). */
  private async versionIdOf(model: ModelRecord, revision: string): Promise<string | null> {
    if (revision.includes('\0')) return null;
    const [sql, key] = revisionLookup(revision);
    const rows = (await this.db.query(sql, [model.id, key])) as { id: string }[];
    return rows[0]?.id ?? null;
  }
}

/** The query (over $1 = the model's id, $2 = the key) of what a revision names: a commit, a version, `main` or an alias. */
function revisionLookup(revision: string): [string, string] {
  const commit = versionOfCommit(revision);
  if (commit) return ['SELECT id FROM model_versions WHERE model_id = $1 AND id = $2', commit];
  const semver = semverOf(revision);
  if (semver) return ['SELECT id FROM model_versions WHERE model_id = $1 AND version = $2', semver];
  const alias = revision === HUB_MAIN ? DEFAULT_ALIAS : revision.toLowerCase();
  if (alias === DEFAULT_ALIAS) return ['SELECT default_version_id AS id FROM models WHERE id = $1 AND default_version_id IS NOT NULL AND $2::text IS NOT NULL', alias];
  return ['SELECT version_id AS id FROM model_aliases WHERE model_id = $1 AND name = $2', alias];
}
