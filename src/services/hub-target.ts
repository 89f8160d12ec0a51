import type { DataSource, EntityManager } from 'typeorm';
import type { ModelRecord } from '../domain/catalog/catalog-records';
import { ConflictError, ValidationError } from '../domain/common/domain-error';
import { HUB_MAIN } from '../domain/files/alias-name';
import { versionOfCommit } from '../domain/files/hub-revision';
import { LifecycleStage } from '../domain/lifecycle/lifecycle-stage';
import { compareSemVer, formatSemVer, parseSemVer, type SemVer } from '../domain/versioning/semver';
import { HubNotFoundError } from './download-hub.service';

type Db = DataSource | EntityManager;

export interface HubTarget {
  id: string;
  version: string;
  status: LifecycleStage;
}

function semverOf(revision: string): string | null {
  try {
    return formatSemVer(parseSemVer(revision));
  } catch {
    return null;
  }
}

/**
 * The version a write names on a readable model: `main` is the default version (null when there is none yet), a
 * branch is a version by number or commit, whatever its status. An alias other than main is refused (aliases move
 * with setAlias, they take no commits); anything else is RevisionNotFound, as the hub answers.
 */
export async function hubTarget(db: Db, model: ModelRecord, revision: string, main: 'served' | 'head' = 'served'): Promise<HubTarget | null> {
  if (revision === HUB_MAIN) {
    const id = mainOf(model, main);
    if (!id) return null;
    return (await rowsOf(db, 'SELECT id, version, status FROM model_versions WHERE id = $1', [id]))[0] ?? null;
  }
  if (revision.includes('\0')) throw new HubNotFoundError('RevisionNotFound', 'Revision', revision.replace(/\0/g, '\\0'));
  const commit = versionOfCommit(revision);
  const semver = semverOf(revision);
  const [found] = commit
    ? await rowsOf(db, 'SELECT id, version, status FROM model_versions WHERE model_id = $1 AND id = $2', [model.id, commit])
    : semver
      ? await rowsOf(db, 'SELECT id, version, status FROM model_versions WHERE model_id = $1 AND version = $2', [model.id, semver])
      : [];
  if (found) return found;
  const alias = (await db.query('SELECT 1 FROM model_aliases WHERE model_id = $1 AND name = $2', [model.id, revision.toLowerCase()])) as unknown[];
  if (alias.length > 0) {
    throw new ValidationError('revision', `"${revision}" is an alias (moved with setAlias), not a branch: push to main or to a version branch (create_branch("1.2.0"))`);
  }
  throw new HubNotFoundError('RevisionNotFound', 'Revision', revision);
}

/**
 * What `main` names: the default version when read (`served`); for a push (`head`), the last version pushed to main
 * even while it is still being verified (the pending default), so two quick commits to main build on each other.
 */
export function mainOf(model: Pick<ModelRecord, 'defaultVersionId' | 'pendingDefaultVersionId'>, main: 'served' | 'head'): string | null {
  return main === 'head' ? (model.pendingDefaultVersionId ?? model.defaultVersionId) : model.defaultVersionId;
}

/** A branch a commit can fill: its version is still a DRAFT. */
export function requireOpenBranch(target: HubTarget): void {
  if (target.status !== LifecycleStage.DRAFT) {
    throw new ConflictError(
      `Version ${target.version} is ${target.status}: an earlier commit submitted it and its files are what was verified; push to a new branch (create_branch) or to main`,
      { status: target.status },
    );
  }
}

/**
 * The version a commit to main opens: the next patch after main's head (1.0.0 for a model without versions, the
 * highest version's next patch when main names none), moving on past numbers already taken (branches).
 */
export async function nextPatch(db: Db, modelId: string, headId: string | null): Promise<SemVer> {
  const rows = (await db.query('SELECT id, version, major, minor, patch, prerelease FROM model_versions WHERE model_id = $1', [modelId])) as (Omit<SemVer, 'build'> & { id: string; version: string })[];
  if (rows.length === 0) return { major: 1, minor: 0, patch: 0, prerelease: null, build: null };
  const base = rows.find((r) => r.id === headId) ?? rows.reduce((a, b) => (compareSemVer(a, b) >= 0 ? a : b));
  const taken = new Set(rows.map((r) => r.version));
  // From 1.3.0-rc.1 the next is its release, 1.3.0; from 1.3.0 it is 1.3.1.
  let next: SemVer = { major: base.major, minor: base.minor, patch: base.prerelease ? base.patch : base.patch + 1, prerelease: null, build: null };
  while (taken.has(formatSemVer(next))) next = { ...next, patch: next.patch + 1 };
  return next;
}

async function rowsOf(db: Db, sql: string, params: unknown[]): Promise<HubTarget[]> {
  return (await db.query(sql, params)) as HubTarget[];
}
