import { createPublicKey, X509Certificate } from 'node:crypto';
import { keyFingerprint } from '../../domain/signing/signature-trust';
import type { SignatureRecord } from '../../domain/signing/signature-record';
import type { ProjectView } from '../../services/project-access.service';
import { type ProjectSigning, SignatureMethod, type VersionSignature } from './signature.type';

export const UNSIGNED: VersionSignature = { signed: false, valid: null, signer: null, coveredFiles: [], problems: [], sha256: null, verifiedAt: null };

export function signatureView(row: SignatureRecord): VersionSignature {
  return {
    signed: true,
    valid: row.valid,
    signer: {
      method: row.method === null ? null : SignatureMethod[row.method],
      keyFingerprint: row.keyFingerprint,
      certificateSubject: row.certificateSubject,
      certificateSan: row.certificateSan,
    },
    coveredFiles: row.coveredFiles,
    problems: row.problems,
    sha256: row.sha256,
    verifiedAt: row.verifiedAt,
  };
}

export function projectSigningView(view: ProjectView): ProjectSigning {
  return {
    trustedKeys: view.trustedSigningKeys.map((pem) => ({ fingerprint: keyFingerprint(createPublicKey(pem)), pem })),
    trustedCertificates: view.trustedSigningCertificates.map((pem) => {
      const cert = new X509Certificate(pem);
      return { subject: cert.subject.replace(/\n/g, ', '), fingerprint: cert.fingerprint256, validTo: new Date(Date.parse(cert.validTo)), pem };
    }),
  };
}
