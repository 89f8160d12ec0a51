import type { KeyObject, X509Certificate } from 'node:crypto';
import { parseCertificate, parsePublicKey, splitPem, type TrustAnchors } from '../domain/signing/signature-trust';

interface TrustSettings {
  trustedSigningKeys: readonly string[];
  trustedSigningCertificates: readonly string[];
}

function tryParse<T>(parse: () => T): T[] {
  try {
    return [parse()];
  } catch {
    return []; // stored values were checked when written; one that no longer parses trusts nothing
  }
}

/** The keys and CA certificates a project trusts, and the key given at an import, as crypto objects. */
export function trustAnchors(settings: TrustSettings | null, importKey: string | null): TrustAnchors {
  const keys: KeyObject[] = [...(settings?.trustedSigningKeys ?? []), ...(importKey ? [importKey] : [])].flatMap((pem) => tryParse(() => parsePublicKey('key', pem)));
  const certificates: X509Certificate[] = (settings?.trustedSigningCertificates ?? []).flatMap((pem) => splitPem(pem)).flatMap((pem) => tryParse(() => parseCertificate('certificate', pem)));
  return { keys, certificates };
}
