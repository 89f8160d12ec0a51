import { Context } from '@temporalio/activity';
import type { ScanIds, ScanSource, ScanSummary } from '../src/domain/scanning/scan-inputs';
import { ConflictError } from '../src/domain/common/domain-error';
import type { ScanRequestService } from '../src/services/scan-request.service';
import type { ScanRunService } from '../src/services/scan-run.service';
import type { BlobScanService } from '../src/services/scan-blob.service';
import { actingAs } from './activity-caller';
import { failFast } from './activity-failures';
import { whileHeartbeating } from './heartbeat-timer';

export interface ScanActivityDeps {
  scanRuns: ScanRunService;
  scanRequests: ScanRequestService;
  blobScans: BlobScanService;
}

export interface RescanReport {
  outdated: number;
  started: number;
}

/**
 * The scan steps: begin (plan, idempotent per operation), scan (resumes at the first file still SCANNING),
 * finish (compare-and-set). clamd being down is transient: retried, never a verdict.
 */
export function createScanActivities({ scanRuns, scanRequests, blobScans }: ScanActivityDeps) {
  return {
    beginScan(ids: ScanIds, source: ScanSource): Promise<ScanSummary> {
      return whileHeartbeating(() => failFast(() => scanRuns.begin(ids, source)));
    },

    scanFiles(scanResultId: string): Promise<void> {
      const ctx = Context.current();
      // Heartbeats carry the file reached; a large file gets the timer's heartbeats while it is scanned.
      return whileHeartbeating(() => failFast(() => scanRuns.scan(scanResultId, { signal: ctx.cancellationSignal, onFile: (done) => ctx.heartbeat({ done }) })));
    },

    finishScan(scanResultId: string): Promise<ScanSummary> {
      return whileHeartbeating(() => failFast(() => scanRuns.finish(scanResultId)));
    },

    /** A FAILED rescan takes the version out of service here; the system does it, for whoever asked for the rescan. */
    async completeScan(ids: ScanIds, summary: ScanSummary): Promise<void> {
      await scanRequests.complete(actingAs('scan workflow'), ids, summary);
    },

    failScan(ids: ScanIds, code: string, message: string): Promise<void> {
      return scanRequests.fail(ids, code, message);
    },

    cancelScan(ids: ScanIds): Promise<void> {
      return scanRequests.cancelled(ids);
    },

    /** One scheduled pass: rescans of versions scanned with older rules or signatures, at most `limit`. */
    rescanOutdated(limit: number): Promise<RescanReport> {
      return whileHeartbeating(async () => {
        const scheduler = actingAs('rescan schedule');
        const versionIds = await scanRequests.outdated(scheduler, await blobScans.currentVersions(), limit);
        let started = 0;
        for (const versionId of versionIds) {
          try {
            await scanRequests.scanVersion(scheduler, versionId);
            started += 1;
          } catch (error) {
            // Moved on meanwhile (an import or a rescan started, the version was archived or deleted): skip it.
            if (!(error instanceof ConflictError) && !(error as { code?: string }).code?.startsWith('NOT_FOUND')) throw error;
          }
        }
        return { outdated: versionIds.length, started };
      });
    },
  };
}
