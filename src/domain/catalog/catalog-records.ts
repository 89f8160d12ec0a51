import type { DeclaredMetadata, MetadataMismatch, VerifiedMetadata } from '../artifacts/verified-metadata';
import type { LifecycleStage } from '../lifecycle/lifecycle-stage';
import type { ScanFinding, ScanStatus } from '../scanning/scan-enums';
import type { SignatureDatabase } from '../scanning/scanner-ports';
import type { LicenseTerms } from '../licensing/license-policy';
import type { ModelDraft } from './model-draft';

/** Shapes of stored catalog rows as the rest of the code sees them; persistence entities implement these. */
export interface ModelRecord extends ModelDraft {
  id: string;
  status: LifecycleStage;
  defaultVersionId: string | null;
  /** A version asked to become the default (createVersion makeDefault) before it was usable; applied once VERIFIED. */
  pendingDefaultVersionId: string | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface VersionRecord {
  id: string;
  modelId: string;
  version: string;
  storagePath: string | null;
  changelog: string | null;
  parentVersionId: string | null;
  status: LifecycleStage;
  statusReason: string | null;
  filesComplete: boolean;
  sourceRevision: string | null;
  source: Record<string, unknown> | null;
  declaredMetadata: DeclaredMetadata | null;
  verifiedMetadata: VerifiedMetadata | null;
  metadataMismatches: MetadataMismatch[];
  createdBy: string;
  createdAt: Date;
}

export interface LicenseRecord extends LicenseTerms {
  name: string;
  url: string | null;
  category: string;
  isSpdx: boolean;
  osiApproved: boolean;
}

export interface TransitionRecord {
  id: string;
  modelId: string;
  /** Null for the model's registration entry. */
  versionId: string | null;
  fromStatus: LifecycleStage | null;
  toStatus: LifecycleStage;
  reason: string | null;
  actor: string;
  occurredAt: Date;
}

export interface ScanResultRecord {
  id: string;
  modelId: string;
  versionId: string;
  /** The operation (import or rescan) that ran this scan; null for scans recorded by hand. */
  operationId: string | null;
  scanner: string;
  scannerVersion: string | null;
  /** SCANNER_RULES_VERSION of the format scanners that ran. */
  rulesVersion: string | null;
  /** clamd's VERSION answer (engine/signature database/date); null when ClamAV was not run. */
  signatureVersion: string | null;
  /** OFFICIAL or TEST_ONLY (EICAR only: its clean answers count as SKIPPED); null when ClamAV was not run. */
  signatureDatabase: SignatureDatabase | null;
  status: ScanStatus;
  /** The first findings across files (bounded); the per-file results hold them all. */
  findings: ScanFinding[];
  criticalCount: number;
  highCount: number;
  mediumCount: number;
  lowCount: number;
  filesScanned: number;
  /** Files whose verdict came from the blob cache (same sha256 already scanned with the same versions). */
  filesCached: number;
  bytesScanned: bigint;
  startedAt: Date;
  completedAt: Date | null;
}

export interface BenchmarkMetrics {
  ttftP50Ms: number | null;
  ttftP99Ms: number | null;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  throughputTokensPerSecond: number | null;
}

export interface BenchmarkRecord extends BenchmarkMetrics {
  id: string;
  modelId: string;
  versionId: string;
  hardwareProfile: string;
  configuration: Record<string, unknown>;
  recordedBy: string;
  recordedAt: Date;
}

export interface EvaluationRecord {
  id: string;
  modelId: string;
  versionId: string;
  benchmark: string;
  score: number;
  numShots: number | null;
  details: Record<string, unknown>;
  recordedBy: string;
  recordedAt: Date;
}
