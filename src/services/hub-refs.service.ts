import type { DataSource } from 'typeorm';
import type { Caller } from '../domain/auth/caller';
import type { ModelRecord } from '../domain/catalog/catalog-records';
import { DEFAULT_ALIAS, HUB_MAIN } from '../domain/files/alias-name';
import { commitOfVersion } from '../domain/files/hub-revision';
import { PROJECT_SQL } from '../domain/governance/project';
import { LifecycleStage } from '../domain/lifecycle/lifecycle-stage';
import { compareSemVer } from '../domain/versioning/semver';
import { ModelEntity } from '../persistence/entities/model.entity';
import { type HubApiService, HubNotFoundError } from './download-hub.service';
import { hubTarget } from './hub-target';
import { registrySignedIds } from './signature.service';
import { narrowed } from './version-files-read';

export interface HubRef {
  name: string;
  ref: string;
  targetCommit: string;
}

export interface HubCommit {
  id: string;
  author: string;
  date: Date;
  title: string;
  message: string;
}

interface VersionRow {
  id: string;
  version: string;
  major: number;
  minor: number;
  patch: number;
  prerelease: string | null;
  status: LifecycleStage;
  changelog: string | null;
  parent_version_id: string | null;
  created_by: string;
  created_at: Date;
}

const MAX_HISTORY = 1000;

/**
 * The hub's read views of a repository's history: refs (aliases and open drafts as branches, versions as tags) and
 * the commits of a revision (a version, then its parent, and so on), and the model listing. Every read starts from a
 * repository the caller may read (another project's: RepoNotFound) or, for the listing, narrows in SQL.
 */
export class HubRefsService {
  constructor(
    private readonly db: DataSource,
    private readonly hub: HubApiService,
  ) {}

  async refs(caller: Caller, namespace: string, name: string): Promise<{ branches: HubRef[]; tags: HubRef[] }> {
    const model = await this.hub.repo(caller, namespace, name);
    const versions = await this.versions(model.id);
    const aliases = (await this.db.query('SELECT name, version_id FROM model_aliases WHERE model_id = $1 ORDER BY name', [model.id])) as { name: string; version_id: string }[];
    const signed = await registrySignedIds(this.db, [...versions.map((v) => v.id), ...(model.defaultVersionId ? [model.defaultVersionId] : []), ...aliases.map((a) => a.version_id)]);
    const commit = (versionId: string) => commitOfVersion(versionId, signed.has(versionId));
    const branch = (name: string, versionId: string): HubRef => ({ name, ref: `refs/heads/${name}`, targetCommit: commit(versionId) });
    const branches = [
      ...(model.defaultVersionId ? [branch(HUB_MAIN, model.defaultVersionId)] : []),
      ...aliases.filter((a) => a.name !== DEFAULT_ALIAS && a.name !== HUB_MAIN).map((a) => branch(a.name, a.version_id)),
      // An open draft takes commits: it is a branch until a commit submits it.
      ...versions.filter((v) => v.status === LifecycleStage.DRAFT).map((v) => branch(v.version, v.id)),
    ];
    const tags = versions.filter((v) => v.status !== LifecycleStage.DRAFT).map((v) => ({ name: v.version, ref: `refs/tags/${v.version}`, targetCommit: commit(v.id) }));
    return { branches, tags };
  }

  /** The revision's version and its ancestors (parent versions), newest first. */
  async commits(caller: Caller, namespace: string, name: string, revision: string): Promise<HubCommit[]> {
    const model = await this.hub.repo(caller, namespace, name);
    const target = await hubTarget(this.db, model, revision);
    if (!target) throw new HubNotFoundError('RevisionNotFound', 'Revision', revision);
    const byId = new Map((await this.versions(model.id)).map((v) => [v.id, v]));
    const history: HubCommit[] = [];
    const seen = new Set<string>();
    const signed = await registrySignedIds(this.db, [...byId.keys()]);
    for (let at = byId.get(target.id); at && !seen.has(at.id) && history.length < MAX_HISTORY; at = at.parent_version_id ? byId.get(at.parent_version_id) : undefined) {
      seen.add(at.id);
      const [title, ...rest] = (at.changelog ?? `Version ${at.version}`).split('\n');
      history.push({ id: commitOfVersion(at.id, signed.has(at.id)), author: at.created_by, date: at.created_at, title: `${title} (${at.version})`, message: rest.join('\n').trim() });
    }
    return history;
  }

  /** `list_models`: readable models, by project (`author`) and name substring (`search`), by name. */
  async models(caller: Caller, filter: { author: string | null; search: string | null; limit: number; after: string | null }): Promise<ModelRecord[]> {
    const q = this.db.getRepository(ModelEntity).createQueryBuilder('m').orderBy('m.name', 'ASC').take(filter.limit);
    if (filter.author) q.andWhere(`${PROJECT_SQL('m')} = :author`, { author: filter.author.toLowerCase() });
    if (filter.search) q.andWhere(`strpos(lower(m.name), lower(:search)) > 0`, { search: filter.search });
    if (filter.after) q.andWhere('m.name > :after', { after: filter.after });
    return narrowed(q, caller).getMany();
  }

  private async versions(modelId: string): Promise<VersionRow[]> {
    const rows = (await this.db.query(
      'SELECT id, version, major, minor, patch, prerelease, status, changelog, parent_version_id, created_by, created_at FROM model_versions WHERE model_id = $1',
      [modelId],
    )) as VersionRow[];
    return rows.sort((a, b) => compareSemVer(b, a));
  }
}
