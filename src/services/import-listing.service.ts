import { type DataSource, type EntityManager, IsNull } from 'typeorm';
import type { ArtifactFormat } from '../domain/artifacts/artifact-format';
import { safeRelativePath } from '../domain/onboarding/import-source';
import type { ManifestEntry } from '../domain/onboarding/manifest';
import { isLive, OperationStatus } from '../domain/onboarding/operation';
import { ImportFileEntity } from '../persistence/entities/import-file.entity';
import { OperationEntity } from '../persistence/entities/operation.entity';
import { VersionEntity } from '../persistence/entities/version.entity';
import type { SourceFile, SourceListing } from '../storage/sources/model-source';
import type { OperationService } from './operation.service';
import { counted } from '../domain/common/plural';

export interface ListingSummary {
  files: number;
  bytes: number;
  revision: string | null;
}

// 7 columns a row: far below Postgres' 65,535 bind parameters per statement.
const INSERT_CHUNK = 1000;

/**
 * An import's file list, kept in the database (import_files) rather than in workflow history, so a repository of
 * thousands of files costs the workflow a few small payloads. Listed once per operation at a pinned revision:
 * later attempts and the staging step read this listing, so a branch moved mid-import never mixes files.
 * No caller: only the import's workflow steps reach it, by the operation's id, for an import already authorized.
 */
export class ImportListingService {
  constructor(
    private readonly db: DataSource,
    private readonly operations: OperationService,
  ) {}

  /** Records the listing (once); returns what was recorded when an earlier attempt already listed. */
  async record(operationId: string, list: () => Promise<SourceListing>): Promise<ListingSummary> {
    const before = await this.db.getRepository(OperationEntity).findOneByOrFail({ id: operationId });
    if (before.listed) return this.summary(this.db.manager, before);
    await this.operations.update(operationId, { status: OperationStatus.RUNNING, currentStep: 'listing files', message: null });
    const listing = await list();
    for (const file of listing.files) safeRelativePath('path', file.path);
    return this.db.transaction(async (tx) => {
      const operation = await this.operations.lockForSettling(tx, operationId);
      if (!operation || !isLive(operation.status) || operation.listed) return this.summary(tx, operation ?? before);
      const rows = listing.files.map((file: SourceFile, ordinal) => ({
        operationId,
        ordinal,
        path: file.path,
        size: file.size,
        expectedSha256: file.sha256,
        gitBlobId: file.gitBlobId,
      }));
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) await tx.getRepository(ImportFileEntity).insert(rows.slice(i, i + INSERT_CHUNK));
      await tx.getRepository(OperationEntity).update({ id: operationId }, { listed: true, sourceRevision: listing.revision });
      if (operation.versionId) await tx.getRepository(VersionEntity).update({ id: operation.versionId }, { sourceRevision: listing.revision });
      const bytes = listing.files.reduce((n, f) => n + (f.size ?? 0), 0);
      const revision = listing.revision ? ` at ${listing.revision}` : '';
      await this.operations.update(operationId, { bytesTotal: BigInt(bytes), message: `${counted(rows.length, 'file')}, ${counted(bytes, 'byte')}${revision}` }, tx);
      return { files: rows.length, bytes, revision: listing.revision };
    });
  }

  /** Files not yet stored, in listing order. */
  pending(operationId: string): Promise<ImportFileEntity[]> {
    return this.db.getRepository(ImportFileEntity).find({ where: { operationId, sha256: IsNull() }, order: { ordinal: 'ASC' } });
  }

  async storedBytes(operationId: string): Promise<number> {
    const [row] = (await this.db.query('SELECT coalesce(sum(stored_size), 0)::bigint AS n FROM import_files WHERE operation_id = $1', [operationId])) as { n: string }[];
    return Number(row?.n ?? 0);
  }

  async markStored(operationId: string, entry: ManifestEntry): Promise<void> {
    await this.db.getRepository(ImportFileEntity).update({ operationId, path: entry.path }, { sha256: entry.sha256, storedSize: entry.size, format: entry.format });
  }

  /** The complete manifest; refuses while any listed file is not stored (a bug upstream, never a partial manifest). */
  async manifest(operationId: string, manager: EntityManager = this.db.manager): Promise<ManifestEntry[]> {
    const rows = await manager.getRepository(ImportFileEntity).find({ where: { operationId }, order: { ordinal: 'ASC' } });
    const missing = rows.filter((r) => r.sha256 === null || r.storedSize === null || r.format === null);
    if (missing.length > 0) throw new Error(`import ${operationId} has ${counted(missing.length, 'file')} not stored yet (first: ${missing[0].path})`);
    return rows.map((r) => ({ path: r.path, size: r.storedSize as number, sha256: r.sha256 as string, format: r.format as ArtifactFormat }));
  }

  private async summary(manager: EntityManager, operation: OperationEntity): Promise<ListingSummary> {
    const [row] = (await manager.query('SELECT count(*)::int AS files, coalesce(sum(size), 0)::bigint AS bytes FROM import_files WHERE operation_id = $1', [
      operation.id,
    ])) as { files: number; bytes: string }[];
    return { files: row.files, bytes: Number(row.bytes), revision: operation.sourceRevision };
  }
}
