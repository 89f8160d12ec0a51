import { createHash, createPublicKey, type KeyObject, verify, X509Certificate } from 'node:crypto';
import { ValidationError } from '../common/domain-error';
import { pae, type SignatureBundle } from './model-signature';

/** The curves model_signing signs with, and the digest it pairs with each (its `get_ec_key_hash`). */
const CURVE_HASH: ReadonlyMap<string, string> = new Map([
  ['prime256v1', 'sha256'],
  ['secp384r1', 'sha384'],
  ['secp521r1', 'sha512'],
]);
const MAX_CHAIN = 8;

export type SignatureMethod = 'KEY' | 'CERTIFICATE';

export interface SignerIdentity {
  method: SignatureMethod;
  /** KEY: sha256 (hex) of the public key's PEM, the value model_signing writes as the bundle's key hint. */
  keyFingerprint: string | null;
  certificateSubject: string | null;
  certificateSan: string | null;
}

/** What a project (and an import) trusts: EC public keys and CA certificates. */
export interface TrustAnchors {
  keys: readonly KeyObject[];
  certificates: readonly X509Certificate[];
}

export type EnvelopeVerdict = { valid: true; signer: SignerIdentity } | { valid: false; signer: SignerIdentity | null; problem: string };

function hashOf(key: KeyObject): string | null {
  return key.asymmetricKeyType === 'ec' ? (CURVE_HASH.get(key.asymmetricKeyDetails?.namedCurve ?? '') ?? null) : null;
}

/** The fingerprint model_signing uses as a key hint: sha256 of the SubjectPublicKeyInfo PEM. */
export function keyFingerprint(key: KeyObject): string {
  return createHash('sha256').update(key.export({ type: 'spki', format: 'pem' })).digest('hex');
}

/** A public key as configured (PEM); refuses what model_signing could not have signed with. */
export function parsePublicKey(field: string, pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new ValidationError(field, 'is not a PEM public key');
  }
  if (!hashOf(key)) throw new ValidationError(field, 'must be an EC key on P-256, P-384 or P-521 (what model_signing signs with)');
  return key;
}

export function parseCertificate(field: string, pem: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw new ValidationError(field, 'is not a PEM X.509 certificate');
  }
}

/** Every certificate of a PEM bundle (a chain file holds several). */
export function splitPem(pem: string): string[] {
  return pem.match(/-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g) ?? [];
}

function signedBy(bundle: SignatureBundle, key: KeyObject): boolean {
  const hash = hashOf(key);
  if (!hash) return false;
  try {
    return verify(hash, pae(bundle.payload, bundle.payloadType), key, bundle.signature);
  } catch {
    return false;
  }
}

function verifyWithKeys(bundle: SignatureBundle, trust: TrustAnchors): EnvelopeVerdict {
  const candidates = bundle.keyHint ? trust.keys.filter((k) => keyFingerprint(k) === bundle.keyHint) : trust.keys;
  const key = candidates.find((k) => signedBy(bundle, k));
  if (key) return { valid: true, signer: { method: 'KEY', keyFingerprint: keyFingerprint(key), certificateSubject: null, certificateSan: null } };
  const signer: SignerIdentity = { method: 'KEY', keyFingerprint: bundle.keyHint, certificateSubject: null, certificateSan: null };
  if (trust.keys.length === 0) return { valid: false, signer, problem: 'signed with a key, and no public key is trusted (configure one on the project or give one at import)' };
  if (candidates.length === 0) return { valid: false, signer, problem: `signed with key ${bundle.keyHint ?? '?'}, which is not one of the trusted keys` };
  return { valid: false, signer, problem: 'the envelope signature does not verify with the trusted key' };
}

function validAt(cert: X509Certificate, at: Date): boolean {
  return Date.parse(cert.validFrom) <= at.getTime() && at.getTime() <= Date.parse(cert.validTo);
}

function issues(issuer: X509Certificate, cert: X509Certificate): boolean {
  return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}

/** Walks from the signing certificate through the bundle's certificates to a trusted one, as OpenSSL's store would. */
function chainProblem(leaf: X509Certificate, intermediates: readonly X509Certificate[], anchors: readonly X509Certificate[]): string | null {
  // model_signing checks the chain at the signing certificate's start of validity (there is no signed timestamp).
  const at = new Date(Date.parse(leaf.validFrom));
  let current = leaf;
  for (let depth = 0; depth < MAX_CHAIN; depth += 1) {
    if (!validAt(current, at)) return `certificate "${current.subject}" is not valid at ${at.toISOString()}`;
    if (anchors.some((a) => a.fingerprint256 === current.fingerprint256)) return null;
    const anchor = anchors.find((a) => a.ca && issues(a, current) && validAt(a, at));
    if (anchor) return null;
    const next = intermediates.find((c) => c.ca && c.fingerprint256 !== current.fingerprint256 && issues(c, current));
    if (!next) return `certificate "${current.subject.replace(/\n/g, ', ')}" does not chain to a trusted CA certificate`;
    current = next;
  }
  return `the certificate chain is longer than ${MAX_CHAIN}`;
}

/** KeyUsage digitalSignature, read from the DER (Node exposes only extended key usage). */
function hasDigitalSignature(cert: X509Certificate): boolean | null {
  const der = cert.raw;
  const oid = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x0f]);
  let at = der.indexOf(oid);
  if (at < 0) return null;
  at += oid.length;
  if (der[at] === 0x01) at += 3; // critical BOOLEAN
  if (der[at] !== 0x04) return null;
  at += 2; // OCTET STRING, short length
  if (der[at] !== 0x03) return null;
  return (der[at + 3] & 0x80) !== 0; // BIT STRING: length, unused bits, first byte; bit 0 is digitalSignature
}

function mayCodeSign(cert: X509Certificate): boolean {
  if (hasDigitalSignature(cert)) return true;
  return (cert.keyUsage ?? []).includes('1.3.6.1.5.5.7.3.3');
}

function verifyWithCertificates(bundle: SignatureBundle, trust: TrustAnchors): EnvelopeVerdict {
  let chain: X509Certificate[];
  try {
    chain = bundle.certificates.map((der) => new X509Certificate(der));
  } catch {
    return { valid: false, signer: null, problem: 'a certificate in the signature does not parse' };
  }
  const [leaf, ...intermediates] = chain;
  const signer: SignerIdentity = { method: 'CERTIFICATE', keyFingerprint: null, certificateSubject: leaf.subject.replace(/\n/g, ', '), certificateSan: leaf.subjectAltName ?? null };
  if (trust.certificates.length === 0) return { valid: false, signer, problem: 'signed with a certificate, and no CA certificate is trusted (configure one on the project)' };
  const problem = chainProblem(leaf, intermediates, trust.certificates);
  if (problem) return { valid: false, signer, problem };
  if (!mayCodeSign(leaf)) return { valid: false, signer, problem: 'the signing certificate allows neither digitalSignature nor codeSigning' };
  if (!signedBy(bundle, leaf.publicKey)) return { valid: false, signer, problem: "the envelope signature does not verify with the signing certificate's key" };
  return { valid: true, signer };
}

/** Whether the envelope was signed by a trusted key or a certificate chaining to a trusted CA (offline: no log). */
export function verifyEnvelope(bundle: SignatureBundle, trust: TrustAnchors): EnvelopeVerdict {
  return bundle.certificates.length > 0 ? verifyWithCertificates(bundle, trust) : verifyWithKeys(bundle, trust);
}
