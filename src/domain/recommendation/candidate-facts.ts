import type { Provenance } from '../catalog/catalog-enums';
import type { LicenseOutcome, LicenseReason } from '../governance/license-check';

/** One level of a stored benchmark: the figures measured at one load. */
export interface LevelFacts {
  /** Null for a row without per-level figures (recorded or reported summaries): its load is unknown. */
  concurrency: number | null;
  ttftP99Ms: number | null;
  tpotP99Ms: number | null;
  throughputTokensPerSecond: number | null;
}

/** A stored benchmark of the version on the hardware asked, of a provenance that counts. */
export interface BenchmarkFacts {
  id: string;
  provenance: Provenance;
  hardwareProfile: string;
  recordedAt: Date;
  levels: LevelFacts[];
}

export interface EvaluationFacts {
  id: string;
  benchmark: string;
  metric: string | null;
  score: number;
  provenance: Provenance;
}

export interface LicenseFactsChecked {
  outcome: LicenseOutcome;
  licenseId: string | null;
  reasons: LicenseReason[];
  textHash: string | null;
  acknowledged: boolean;
}

/** Everything stored about one candidate version that the recommendation weighs. */
export interface CandidateFacts {
  versionId: string;
  modelId: string;
  /** "name@1.2.0", as messages name it. */
  label: string;
  parameterCount: bigint | null;
  bytesPerParameter: number;
  /** The context the weights support (config), when known. */
  contextLimit: number | null;
  numLayers: number | null;
  numKeyValueHeads: number | null;
  headDim: number | null;
  license: LicenseFactsChecked;
  benchmarks: BenchmarkFacts[];
  evaluations: EvaluationFacts[];
}
