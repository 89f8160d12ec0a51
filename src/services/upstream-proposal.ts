import type { EntityManager } from 'typeorm';
import { SourceType } from '../domain/catalog/catalog-enums';
import { LifecycleStage } from '../domain/lifecycle/lifecycle-stage';
import { compareSemVer, formatSemVer } from '../domain/versioning/semver';
import type { ModelEntity } from '../persistence/entities/model.entity';
import { VersionEntity } from '../persistence/entities/version.entity';
import { recordAudit } from './audit.service';
import { lockVersion, recordTransition } from './model-transition';

export interface ProposedCommit {
  repoId: string;
  /** The tracked ref (main, a branch or tag) the commit is the new head of. */
  revision: string;
  sha: string;
  actor: string;
}

/** The next patch after the model's highest version: 1.4.2 → 1.4.3 (a prerelease's own patch is free: 2.0.0-rc.1 → 2.0.0). */
function nextVersion(versions: readonly VersionEntity[]): { major: number; minor: number; patch: number } {
  const top = [...versions].sort((a, b) => compareSemVer(b, a))[0];
  if (!top) return { major: 1, minor: 0, patch: 0 };
  return { major: top.major, minor: top.minor, patch: top.prerelease ? top.patch : top.patch + 1 };
}

/**
 * A DRAFT version pointing at a new upstream commit (its source pinned to the sha; `submitVersion` imports it),
 * inside the caller's transaction with the model locked. A proposal still DRAFT from an earlier commit moves on
 * to this one instead of a second draft piling up. Returns the version.
 */
export async function proposeCommit(tx: EntityManager, model: ModelEntity, previous: string | null, commit: ProposedCommit): Promise<VersionEntity> {
  const source = { type: SourceType.HUGGING_FACE, repoId: commit.repoId, revision: commit.sha };
  const changelog = `Upstream commit ${commit.sha} of ${commit.repoId}@${commit.revision}, proposed by the upstream watch`;
  const earlier = previous ? await lockVersion(tx, previous) : null;
  if (earlier && earlier.modelId === model.id && earlier.status === LifecycleStage.DRAFT && (earlier.source as { type?: unknown } | null)?.type === SourceType.HUGGING_FACE) {
    const before = (earlier.source as { revision?: unknown }).revision;
    await tx.getRepository(VersionEntity).update({ id: earlier.id }, { source, changelog });
    Object.assign(earlier, { source, changelog });
    await recordAudit(tx, { action: 'version.updated', actor: commit.actor, modelId: model.id, versionId: earlier.id, reason: 'a newer upstream commit', details: { changes: [{ field: 'source.revision', before, after: commit.sha }] } });
    return earlier;
  }
  const repo = tx.getRepository(VersionEntity);
  const semver = { ...nextVersion(await repo.find({ where: { modelId: model.id }, select: { id: true, major: true, minor: true, patch: true, prerelease: true } })), prerelease: null, build: null };
  let taken = true;
  while (taken) {
    taken = await repo.existsBy({ modelId: model.id, version: formatSemVer(semver) });
    if (taken) semver.patch += 1;
  }
  const row = await repo.save(
    repo.create({
      modelId: model.id,
      version: formatSemVer(semver),
      major: semver.major,
      minor: semver.minor,
      patch: semver.patch,
      prerelease: null,
      storagePath: null,
      changelog,
      parentVersionId: model.defaultVersionId,
      status: LifecycleStage.DRAFT,
      filesComplete: false,
      source,
      declaredMetadata: { architecture: model.architecture, parameterCount: model.parameterCount?.toString() ?? null, contextLength: model.contextLength, license: model.licenseId },
      createdBy: commit.actor,
    }),
  );
  await recordTransition(tx, { modelId: model.id, versionId: row.id, from: null, to: LifecycleStage.DRAFT, reason: changelog, actor: commit.actor });
  return row;
}
