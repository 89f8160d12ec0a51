import type { SignatureMethod } from './signature-trust';

export type SignatureOrigin = 'UPSTREAM' | 'REGISTRY';

/** A version's signature as recorded: what an upstream `model.sig` proved, or the registry's own. */
export interface SignatureRecord {
  versionId: string;
  origin: SignatureOrigin;
  valid: boolean;
  method: SignatureMethod | null;
  keyFingerprint: string | null;
  certificateSubject: string | null;
  certificateSan: string | null;
  coveredFiles: string[];
  problems: string[];
  sha256: string;
  size: number;
  verifiedAt: Date;
}
