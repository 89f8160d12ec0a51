import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { AbortMultipartUploadCommand } from '@aws-sdk/client-s3';
import type { DataSource } from 'typeorm';
import type { Caller } from '../../domain/auth/caller';
import { ForbiddenError } from '../../domain/common/domain-error';
import type { UploadSweepReport } from '../../domain/storage/upload-sweep';
import { deleteObject, type MultipartTarget } from '../../storage/s3-multipart';
import type { StoreRegistry } from '../store-registry';
import { type DirectUploadRow, multipartTargetOf } from './multipart-rules';
import { STREAM_PART } from './stream-transfer';

export type { UploadSweepReport };

const BATCH = 200;
/** A through-API part file is written continuously while its body arrives (a stalled body is cut far sooner). */
const PART_FILE_IDLE_MS = 15 * 60_000;

/**
 * Removes what abandoned direct uploads leave: S3 multipart uploads never completed (aborted in the bucket, so their
 * parts stop costing storage) with their rows and LFS tickets, LFS tickets never used before they expired, and the
 * through-API transfer's part files a crash left in this host's upload folder. "Abandoned" is past its expiry by
 * `graceMs`: an upload whose part URLs still live, or that may still be completed, is never touched. A store that
 * is away keeps its uploads for a later pass. Only ModelHub itself sweeps (the folder and buckets hold every
 * project's bytes).
 */
export class UploadSweepService {
  constructor(
    private readonly db: DataSource,
    private readonly stores: StoreRegistry,
    private readonly uploadDir: string,
  ) {}

  async sweep(caller: Caller, request: { graceMs: number; signal?: AbortSignal }): Promise<UploadSweepReport> {
    if (caller.kind !== 'system') throw new ForbiddenError('Sweeping abandoned uploads is work ModelHub does on its own');
    const report: UploadSweepReport = { multipartAborted: 0, uploadsRemoved: 0, keptStoreAway: 0, ticketsRemoved: 0, partFilesRemoved: 0, partBytesRemoved: 0 };
    await this.sweepMultipart(request, report);
    const tickets = (await this.db.query(
      `DELETE FROM hub_lfs_objects WHERE stored_at IS NULL AND expires_at < now() - make_interval(secs => $1) RETURNING ticket`,
      [request.graceMs / 1000],
    )) as [unknown[], number];
    report.ticketsRemoved += tickets[1];
    await this.sweepPartFiles(Math.max(request.graceMs, PART_FILE_IDLE_MS), report);
    return report;
  }

  private async sweepMultipart(request: { graceMs: number; signal?: AbortSignal }, report: UploadSweepReport): Promise<void> {
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = (await this.db.query(
        `SELECT * FROM direct_uploads WHERE completed_at IS NULL AND expires_at < now() - make_interval(secs => $1) AND id > $2 ORDER BY id LIMIT ${BATCH}`,
        [request.graceMs / 1000, after],
      )) as DirectUploadRow[];
      for (const row of rows) {
        request.signal?.throwIfAborted();
        after = row.id;
        let target: MultipartTarget | null;
        try {
          target = multipartTargetOf(await this.stores.byId(row.store_id), false);
          if (target) {
            await abortStrictly(target, row.object_key, row.s3_upload_id);
            // A crash between the assembly and its verification leaves the assembled object: it never counted.
            await deleteObject(target, row.object_key);
          }
        } catch {
          report.keptStoreAway += 1;
          continue;
        }
        report.multipartAborted += target ? 1 : 0;
        // The LFS ticket it stood for goes with it (ON DELETE CASCADE).
        const removed = (await this.db.query(`DELETE FROM direct_uploads WHERE id = $1 AND completed_at IS NULL RETURNING id`, [row.id])) as [unknown[], number];
        report.uploadsRemoved += removed[1];
      }
      if (rows.length < BATCH) return;
    }
  }

  private async sweepPartFiles(idleMs: number, report: UploadSweepReport): Promise<void> {
    const names = await readdir(this.uploadDir).catch(() => [] as string[]);
    const cutoff = Date.now() - idleMs;
    for (const name of names) {
      if (!STREAM_PART.test(name)) continue;
      const file = path.join(this.uploadDir, name);
      const info = await stat(file).catch(() => null);
      if (!info?.isFile() || info.mtimeMs > cutoff) continue;
      await rm(file, { force: true });
      report.partFilesRemoved += 1;
      report.partBytesRemoved += info.size;
    }
  }
}

/** Aborts a multipart upload; one the bucket no longer knows is gone already. Any other failure is thrown (kept for later). */
async function abortStrictly(t: MultipartTarget, key: string, uploadId: string): Promise<void> {
  try {
    await t.client.send(new AbortMultipartUploadCommand({ Bucket: t.bucket, Key: key, UploadId: uploadId }));
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number }; name?: string }).$metadata?.httpStatusCode;
    if (status === 404 || (error as { name?: string }).name === 'NoSuchUpload') return;
    throw error;
  }
}
