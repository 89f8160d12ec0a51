import { Readable } from 'node:stream';
import { type DataSource, type EntityManager, In } from 'typeorm';
import type { Caller } from '../domain/auth/caller';
import { Role } from '../domain/auth/roles';
import { detectFormat } from '../domain/artifacts/artifact-format';
import { SourceType } from '../domain/catalog/catalog-enums';
import type { ModelRecord } from '../domain/catalog/catalog-records';
import { ConflictError, ValidationError } from '../domain/common/domain-error';
import { HUB_MAIN } from '../domain/files/alias-name';
import { filePath } from '../domain/files/file-path';
import { applyCommit, type CommitChange, type CommitHeader, type CommitOperation, parseCommitHeader, parseCommitOperation, uploadModeOf } from '../domain/files/hub-commit';
import { commitOfVersion, versionOfCommit } from '../domain/files/hub-revision';
import type { ManifestEntry } from '../domain/onboarding/manifest';
import { parseSemVer, type SemVer } from '../domain/versioning/semver';
import type { ModelEntity } from '../persistence/entities/model.entity';
import type { VersionEntity } from '../persistence/entities/version.entity';
import { VersionFileEntity } from '../persistence/entities/version-file.entity';
import type { StorageUsageService } from './storage-usage.service';
import type { StoreRegistry } from './store-registry';
import type { DirectUploadService } from './storage/direct-upload.service';
import { type HubApiService, HubNotFoundError } from './download-hub.service';
import type { HubLfsService } from './hub-lfs.service';
import { hubTarget, mainOf, nextPatch, requireOpenBranch } from './hub-target';
import type { ModelCommandService } from './model-command.service';
import { lockModel } from './model-lock';
import { lockVersion } from './model-transition';
import type { ProjectAccessService } from './project-access.service';
import { recordFileChange } from './version-files.service';
import { listFiles } from './version-files-read';
import type { VersionSubmitService } from './version-submit.service';
import { insertDraftVersion } from './version.service';

const MAX_OPERATIONS = 25_000;
const MAX_CHANGELOG = 20_000;

export interface PreuploadAnswer {
  path: string;
  uploadMode: 'regular' | 'lfs';
  shouldIgnore: boolean;
  oid: string | null;
}

export interface PushedCommit {
  model: ModelRecord;
  version: VersionEntity;
  commit: string;
  operationId: string;
}

type Blob = ManifestEntry;
type Pending = CommitChange<Blob> | (Extract<CommitOperation, { key: 'lfsFile' }> & { line: number });

/**
 * Writes through the hub protocol (huggingface_hub's create_repo, create_branch, upload_file, upload_folder and
 * `hf upload`). A repository is a model (its namespace the project), a branch is a version: `create_branch("1.2.0")`
 * opens DRAFT 1.2.0 with the files of its starting point, and a commit to it fills that draft; a commit to `main`
 * opens the next patch version from the default version's files (and asks for it to become the default once
 * verified). Every commit is applied whole in one transaction and then submits the version: the import verifies,
 * inspects and scans it as any upload, so `upload_folder` (one commit) ends VERIFIED and a later commit to the same
 * branch is refused (the version's files are what was verified). The editor role in the model's project is
 * needed; another project's repository is RepoNotFound like one that does not exist.
 */
export class HubPushService {
  constructor(
    private readonly db: DataSource,
    private readonly hub: HubApiService,
    private readonly models: ModelCommandService,
    private readonly lfs: HubLfsService,
    private readonly direct: DirectUploadService,
    private readonly stores: StoreRegistry,
    private readonly submissions: VersionSubmitService,
    private readonly access: ProjectAccessService,
    private readonly usage: StorageUsageService,
  ) {}

  /** A writable repository: RepoNotFound when unreadable, FORBIDDEN without the editor role there. */
  async writable(caller: Caller, namespace: string, name: string, action: string): Promise<ModelRecord> {
    const model = await this.hub.repo(caller, namespace, name);
    await this.access.authorize(caller, 'Model', model.id, Role.EDITOR, action);
    return model;
  }

  async createRepo(caller: Caller, body: Record<string, unknown>): Promise<ModelRecord> {
    const type = body.type ?? 'model';
    if (type !== 'model') throw new ValidationError('type', `only model repositories live here, not ${JSON.stringify(type)}`);
    if (typeof body.name !== 'string') throw new ValidationError('name', 'is required');
    const organization = typeof body.organization === 'string' && body.organization !== '' ? body.organization : null;
    return this.models.register(caller, { name: body.name, sourceType: SourceType.CUSTOM, project: organization });
  }

  /** `create_branch`: a new DRAFT version named by the branch, with the files of the starting point (default: main). */
  async createBranch(caller: Caller, namespace: string, name: string, branch: string, startingPoint: unknown): Promise<VersionEntity> {
    const semver = branchVersion(branch);
    const model = await this.writable(caller, namespace, name, 'Creating a branch');
    const from = typeof startingPoint === 'string' && startingPoint !== '' ? (await this.hub.revision(caller, namespace, name, startingPoint)).version.id : null;
    return this.db.transaction(async (tx) => {
      const locked = await lockModel(tx, model.id);
      await this.access.authorize(caller, 'Model', model.id, Role.EDITOR, 'Creating a branch', tx);
      const taken = (await tx.query('SELECT status FROM model_versions WHERE model_id = $1 AND version = $2', [model.id, branch])) as { status: string }[];
      if (taken.length > 0) throw new ConflictError(`Branch ${branch} exists: version ${branch} is ${taken[0].status}`, { status: taken[0].status });
      const parent = from ?? mainOf(locked, 'head');
      const version = await insertDraftVersion(tx, caller, locked, { semver, storagePath: null, changelog: null, parentVersionId: parent, makeDefault: false });
      if (parent) await copyFiles(tx, parent, version.id);
      return version;
    });
  }

  /**
   * The preupload: how each file travels (`regular` inside the commit, `lfs` through the batch) and, for a file
   * already at that path with the same sha256, its oid, so the client leaves an unchanged LFS file out of the commit.
   * Sizes over the upload limit are refused here, before any byte is sent.
   */
  async preupload(caller: Caller, namespace: string, name: string, revision: string, files: unknown): Promise<PreuploadAnswer[]> {
    const model = await this.writable(caller, namespace, name, 'Pushing files');
    if (!Array.isArray(files)) throw new ValidationError('files', 'must be a list of { path, size, sample }');
    if (files.length > MAX_OPERATIONS) throw new ValidationError('files', `at most ${MAX_OPERATIONS} files at once`);
    const base = await hubTarget(this.db, model, revision, 'head');
    if (base && revision !== HUB_MAIN) requireOpenBranch(base);
    const existing = new Map((base ? await listFiles(this.db, caller, base.id) : []).map((f) => [f.path, f]));
    return files.map((file: unknown) => {
      const { path, size, sample } = (typeof file === 'object' && file !== null ? file : {}) as { path?: unknown; size?: unknown; sample?: unknown };
      const target = filePath('path', typeof path === 'string' ? path : '');
      if (typeof size !== 'number') throw new ValidationError('size', `"${target}": the size is required`);
      this.direct.requireSize(target, size);
      const mode = uploadModeOf(target, size, Buffer.from(typeof sample === 'string' ? sample : '', 'base64'));
      const there = existing.get(target);
      return { path: typeof path === 'string' ? path : target, uploadMode: mode, shouldIgnore: false, oid: mode === 'lfs' && there ? there.sha256 : null };
    });
  }

  async commit(caller: Caller, namespace: string, name: string, revision: string, lines: AsyncIterable<string>): Promise<PushedCommit> {
    const model = await this.writable(caller, namespace, name, 'Pushing a commit');
    // A wrong or closed branch fails before the body is read.
    const branch = revision === HUB_MAIN ? null : await hubTarget(this.db, model, revision);
    if (branch) requireOpenBranch(branch);
    const { header, operations } = await this.read(caller, model, lines);
    const version = await this.db.transaction(async (tx) => {
      const locked = await lockModel(tx, model.id);
      await this.access.authorize(caller, 'Model', model.id, Role.EDITOR, 'Pushing a commit', tx);
      const target = await this.target(tx, caller, locked, revision, header);
      const before = new Map((await listFiles(tx, caller, target.version.id)).map((f) => [f.path, f]));
      const withinQuota = await this.usage.growthGuard(tx, target.version.id);
      const result = applyCommit(before, operations);
      if (result.files.size === 0) throw new ValidationError('body', 'the commit leaves the version without files; a version needs at least one');
      const repo = tx.getRepository(VersionFileEntity);
      if (result.removed.length > 0) await repo.delete({ versionId: target.version.id, path: In(result.removed.map((r) => r.path)) });
      for (const { path, blob, replaced } of result.put) {
        await repo.upsert({ versionId: target.version.id, path, sha256: blob.sha256, size: blob.size, format: blob.format }, ['versionId', 'path']);
        await recordFileChange(tx, caller, { versionId: target.version.id, action: replaced ? 'REPLACE' : 'ADD', path, fromPath: null, blob });
      }
      await tx.query('DELETE FROM version_folders WHERE version_id = $1 AND path = ANY($2::text[])', [target.version.id, result.put.map((p) => p.path)]);
      for (const { path, blob } of result.removed) await recordFileChange(tx, caller, { versionId: target.version.id, action: 'REMOVE', path, fromPath: null, blob });
      // Files listed past the project's or the store's quota roll the whole commit back (QUOTA_EXCEEDED, 507).
      await withinQuota();
      return target.version;
    });
    // The commit is durable before the submit: if starting the import fails, the version is what was pushed and
    // its operation can be retried (retryOperation), as for any submitted draft.
    const operation = await this.submissions.submit(caller, version.id);
    return { model, version, commit: commitOfVersion(version.id), operationId: operation.id };
  }

  /** The header and every operation, with regular files stored and LFS objects checked (outside any transaction). */
  private async read(caller: Caller, model: ModelRecord, lines: AsyncIterable<string>): Promise<{ header: CommitHeader; operations: CommitChange<Blob>[] }> {
    let header: CommitHeader | null = null;
    const parsed: Pending[] = [];
    // The store the model's next version is created in (storage registries): its files are stored and looked for there.
    const { id: storeId, store } = await this.stores.forModel(model.id);
    // Regular files are stored as they arrive: those past a quota are refused before their bytes are written (the
    // budget is read at the first one, so a commit of LFS pointers only reads no usage here).
    let budget: Promise<((adding: bigint) => void) | null> | null = null;
    let regularBytes = 0n;
    let number = 0;
    for await (const line of lines) {
      number += 1;
      if (header === null) {
        header = parseCommitHeader(line);
        continue;
      }
      if (parsed.length >= MAX_OPERATIONS) throw new ValidationError('body', `a commit holds at most ${MAX_OPERATIONS} operations`);
      const op = parseCommitOperation(line, number);
      if (op.key === 'file') {
        regularBytes += BigInt(op.content.length);
        budget ??= this.usage.budgetForModel(model.id, storeId);
        (await budget)?.(regularBytes);
        // Stored now (content-addressed, shared): a commit that fails later leaves only an unreferenced blob for the collector.
        const blob = await this.direct.receive({ label: op.path, size: op.content.length, sha256: null }, Readable.from([op.content]), store);
        parsed.push({ key: 'put', path: op.path, blob: { path: op.path, sha256: blob.sha256, size: blob.size, format: detectFormat(op.path, blob.head) } });
      } else if (op.key === 'lfsFile') parsed.push({ ...op, line: number });
      else parsed.push(op);
    }
    if (header === null) throw new ValidationError('body', 'the commit body is empty: the first ndjson line must be the header');
    const known = await this.lfs.committable(this.db, caller, model.id, parsed.flatMap((p) => (p.key === 'lfsFile' ? [p.oid] : [])));
    const operations: CommitChange<Blob>[] = [];
    for (const op of parsed) {
      if (op.key !== 'lfsFile') {
        operations.push(op);
        continue;
      }
      const size = known.get(op.oid);
      if (size === undefined || !(await store.has(op.oid))) {
        throw new ValidationError('body', `line ${op.line}: LFS object ${op.oid} for "${op.path}" was not uploaded to this repository; send it to the upload URL of the LFS batch first`);
      }
      if (op.size !== null && op.size !== size) throw new ValidationError('body', `line ${op.line}: LFS object ${op.oid} is ${size} bytes, not ${op.size}`);
      const head = await streamHead(await store.read(op.oid, 0, 16));
      operations.push({ key: 'put', path: op.path, blob: { path: op.path, sha256: op.oid, size, format: detectFormat(op.path, head) } });
    }
    return { header, operations };
  }

  /** The version a commit writes: a new patch for `main`, or the DRAFT a branch names. */
  private async target(tx: EntityManager, caller: Caller, model: ModelEntity, revision: string, header: CommitHeader): Promise<{ version: VersionEntity }> {
    const message = changelogOf(header);
    if (revision === HUB_MAIN) {
      const parent = mainOf(model, 'head');
      // Either commit of the parent names it (the one from before publish, or the registry-signed one).
      if (header.parentCommit !== null && (parent === null || versionOfCommit(header.parentCommit) !== parent)) {
        throw new ConflictError('main has moved since the parent commit you named; pull and commit again', { field: 'parentCommit' });
      }
      const semver = await nextPatch(tx, model.id, parent);
      const version = await insertDraftVersion(tx, caller, model, { semver, storagePath: null, changelog: message, parentVersionId: parent, makeDefault: true });
      if (parent) await copyFiles(tx, parent, version.id);
      return { version };
    }
    const found = await hubTarget(tx, model, revision);
    const entity = found ? await lockVersion(tx, found.id) : null;
    if (!found || !entity) throw new HubNotFoundError('RevisionNotFound', 'Revision', revision);
    requireOpenBranch(entity);
    if (header.parentCommit !== null && versionOfCommit(header.parentCommit) !== entity.id) {
      throw new ConflictError(`The branch ${entity.version} is at another commit than the parent you named`, { field: 'parentCommit' });
    }
    const changelog = [entity.changelog, message].filter(Boolean).join('\n\n').slice(0, MAX_CHANGELOG);
    await tx.query('UPDATE model_versions SET changelog = $2 WHERE id = $1', [entity.id, changelog || null]);
    return { version: entity };
  }
}

function branchVersion(branch: string): SemVer {
  try {
    return parseSemVer(branch, 'branch');
  } catch {
    throw new ValidationError('branch', `a branch is a version here: name it as one (e.g. 1.2.0), not "${branch.slice(0, 128)}"`);
  }
}

function changelogOf(header: CommitHeader): string | null {
  const text = [header.summary, header.description].filter((s) => s.trim() !== '').join('\n\n');
  return text === '' ? null : text.slice(0, MAX_CHANGELOG);
}

/**
 * The parent's files as the new version's start, less the registry's own `model.sig` (it vouches for the published
 * parent only: carried over, it would be checked as an upstream signature of files it never covered).
 */
async function copyFiles(tx: EntityManager, from: string, to: string): Promise<void> {
  await tx.query(
    `INSERT INTO version_files (version_id, path, size, sha256, format) SELECT $2, f.path, f.size, f.sha256, f.format FROM version_files f
      WHERE f.version_id = $1
        AND NOT EXISTS (SELECT 1 FROM version_signatures s WHERE s.version_id = f.version_id AND s.origin = 'REGISTRY' AND f.path = 'model.sig' AND s.sha256 = f.sha256)`,
    [from, to],
  );
}

async function streamHead(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).subarray(0, 16);
}
