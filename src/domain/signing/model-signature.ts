import { createHash } from 'node:crypto';

/**
 * The OpenSSF model-signing format (PyPI `model-signing` 1.x, read from its source): `model.sig` is a sigstore
 * bundle (v0.3 JSON) holding a DSSE envelope over an in-toto statement. The statement's one subject is the model
 * (its folder name and a sha256 over every resource digest, in the listed order); its predicate lists every file
 * (`resources`: name, algorithm, hex digest) and how they were hashed (`serialization`: method, hash type, paths
 * left out). Verification is offline: no transparency-log entries are needed or read.
 */
export const SIGNATURE_FILE = 'model.sig';
export const BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
export const PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const PREDICATE_TYPE = 'https://model_signing/signature/v1.0';
/** What the tool leaves out by default (`--ignore-git-paths`): a path equal to one of these or below it. */
export const GIT_PATHS: readonly string[] = ['.git', '.gitattributes', '.github', '.gitignore'];
/**
 * What our own signatures also leave out: `snapshot_download(local_dir=…)` keeps its bookkeeping under
 * `.cache/huggingface/` inside the folder, and a local cache writes `.modelhub-manifest.json` beside the files, which
 * a consumer's `model_signing verify` would otherwise call extra files.
 */
export const REGISTRY_IGNORED: readonly string[] = [...GIT_PATHS, SIGNATURE_FILE, '.cache/huggingface', '.modelhub-manifest.json'];
/** A signature file is small JSON; anything larger is not one (bounded before it reaches memory). */
export const MAX_SIGNATURE_BYTES = 16 * 1024 * 1024;

export class SignatureFormatError extends Error {}

export interface SignatureBundle {
  /** The raw in-toto statement bytes the signature covers (through DSSE's PAE). */
  payload: Buffer;
  payloadType: string;
  /** DER-encoded ECDSA signature. */
  signature: Buffer;
  /** sha256 (hex) of the signer's public key PEM, when signed with a key. */
  keyHint: string | null;
  /** DER certificates, the signing certificate first, when signed with a certificate. */
  certificates: Buffer[];
}

export interface SignedResource {
  name: string;
  algorithm: string;
  digest: string;
}

export interface SignedManifest {
  modelName: string;
  method: string;
  hashType: string;
  ignorePaths: string[];
  resources: SignedResource[];
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new SignatureFormatError(`${what} is not an object`);
  return value as Record<string, unknown>;
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new SignatureFormatError(`${what} is not a string`);
  return value;
}

function base64(value: unknown, what: string): Buffer {
  const raw = text(value, what);
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(raw)) throw new SignatureFormatError(`${what} is not base64`);
  return Buffer.from(raw, 'base64');
}

function parseJson(bytes: Buffer, what: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    throw new SignatureFormatError(`${what} is not JSON`);
  }
}

/** Reads `model.sig`; refuses what is not a model-signing bundle (no crypto here: that is signature-trust.ts). */
export function parseBundle(bytes: Buffer): SignatureBundle {
  if (bytes.length > MAX_SIGNATURE_BYTES) throw new SignatureFormatError(`is ${bytes.length} bytes; a signature stays under ${MAX_SIGNATURE_BYTES}`);
  const bundle = record(parseJson(bytes, 'the signature'), 'the signature');
  if (bundle.mediaType !== BUNDLE_MEDIA_TYPE) throw new SignatureFormatError(`media type ${JSON.stringify(bundle.mediaType)} is not ${BUNDLE_MEDIA_TYPE}`);
  const envelope = record(bundle.dsseEnvelope, 'dsseEnvelope');
  const signatures = envelope.signatures;
  if (!Array.isArray(signatures) || signatures.length === 0) throw new SignatureFormatError('the envelope has no signature');
  const material = record(bundle.verificationMaterial, 'verificationMaterial');
  const publicKey = material.publicKey === undefined ? null : record(material.publicKey, 'publicKey');
  const chain = material.x509CertificateChain === undefined ? null : record(material.x509CertificateChain, 'x509CertificateChain');
  const certificates = chain ? (Array.isArray(chain.certificates) ? chain.certificates : []).map((c, i) => base64(record(c, `certificate ${i}`).rawBytes, `certificate ${i}`)) : [];
  if (!publicKey && certificates.length === 0) throw new SignatureFormatError('names neither a public key nor a certificate');
  return {
    payload: base64(envelope.payload, 'payload'),
    payloadType: text(envelope.payloadType, 'payloadType'),
    signature: base64(record(signatures[0], 'signature').sig, 'signature'),
    keyHint: publicKey && typeof publicKey.hint === 'string' ? publicKey.hint : null,
    certificates,
  };
}

/** DSSE's pre-authentication encoding: what is actually signed. */
export function pae(payload: Buffer, payloadType = PAYLOAD_TYPE): Buffer {
  return Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(payloadType)} ${payloadType} ${payload.length} `), payload]);
}

function rootDigest(resources: readonly SignedResource[]): string {
  const hash = createHash('sha256');
  for (const r of resources) hash.update(Buffer.from(r.digest, 'hex'));
  return hash.digest('hex');
}

/** The statement inside a verified envelope: its files and digests, consistent with its subject's digest. */
export function parseStatement(payload: Buffer): SignedManifest {
  const statement = record(parseJson(payload, 'the statement'), 'the statement');
  if (statement._type !== STATEMENT_TYPE) throw new SignatureFormatError(`statement type ${JSON.stringify(statement._type)} is not ${STATEMENT_TYPE}`);
  if (statement.predicateType !== PREDICATE_TYPE) throw new SignatureFormatError(`predicate type ${JSON.stringify(statement.predicateType)} is not ${PREDICATE_TYPE}`);
  const subjects = statement.subject;
  if (!Array.isArray(subjects) || subjects.length !== 1) throw new SignatureFormatError('the statement must have exactly one subject');
  const subject = record(subjects[0], 'subject');
  const predicate = record(statement.predicate, 'predicate');
  const serialization = record(predicate.serialization, 'serialization');
  const listed = Array.isArray(predicate.resources) ? predicate.resources : [];
  const resources = listed.map((r, i) => {
    const entry = record(r, `resource ${i}`);
    const digest = text(entry.digest, `resource ${i} digest`).toLowerCase();
    if (!/^[0-9a-f]*$/.test(digest)) throw new SignatureFormatError(`resource ${i} digest is not hex`);
    return { name: text(entry.name, `resource ${i} name`), algorithm: text(entry.algorithm, `resource ${i} algorithm`), digest };
  });
  const expected = text(record(subject.digest, 'subject digest').sha256, 'subject sha256').toLowerCase();
  if (rootDigest(resources) !== expected) throw new SignatureFormatError('the listed files do not hash to the subject digest');
  const ignore = Array.isArray(serialization.ignore_paths) ? serialization.ignore_paths.filter((p): p is string => typeof p === 'string') : [];
  return {
    modelName: typeof subject.name === 'string' ? subject.name : '',
    method: text(serialization.method, 'serialization method'),
    hashType: text(serialization.hash_type, 'serialization hash_type'),
    ignorePaths: ignore.map((p) => p.replace(/^\.\/+|\/+$/g, '')),
    resources,
  };
}

/** The tool's rule: a path is left out when it is an ignored path or lies below one. */
export function isIgnored(path: string, ignored: readonly string[]): boolean {
  return ignored.some((p) => p !== '' && (path === p || path.startsWith(`${p}/`)));
}

export interface Coverage {
  /** Files whose name and digest the signature lists. */
  covered: string[];
  /** Files we hold that the signature does not list (and does not leave out). */
  extra: string[];
  /** Files the signature lists that we do not hold. */
  missing: string[];
  /** Files we hold with another digest than the signed one. */
  mismatched: string[];
}

/**
 * The signed manifest against the files as stored (their sha256, computed when they were stored): what the tool's
 * `verify` compares, with its default git paths, the signature file and the paths the signer left out ignored.
 */
export function compareFiles(signed: SignedManifest, files: readonly { path: string; sha256: string }[]): Coverage {
  const ignored = [...GIT_PATHS, SIGNATURE_FILE, ...signed.ignorePaths];
  const ours = new Map(files.filter((f) => !isIgnored(f.path, ignored)).map((f) => [f.path, f.sha256.toLowerCase()]));
  const theirs = new Map(signed.resources.map((r) => [r.name, r.digest]));
  const result: Coverage = { covered: [], extra: [], missing: [], mismatched: [] };
  for (const [path, sha] of ours) {
    const digest = theirs.get(path);
    if (digest === undefined) result.extra.push(path);
    else if (digest !== sha) result.mismatched.push(path);
    else result.covered.push(path);
  }
  for (const name of theirs.keys()) if (!ours.has(name)) result.missing.push(name);
  for (const list of Object.values(result)) list.sort();
  return result;
}

/** What a signed manifest cannot be checked against our sha256 digests for; null when it can. */
export function unsupportedSerialization(signed: SignedManifest): string | null {
  if (signed.method !== 'files') return `serialization "${signed.method}" (only "files" can be checked against the stored files' sha256)`;
  if (signed.hashType !== 'sha256' || signed.resources.some((r) => r.algorithm !== 'sha256')) return `hash "${signed.hashType}" (only sha256 is recorded for stored files)`;
  return null;
}

/** The statement the registry signs: every served file but the ignored ones, by path, with its stored sha256. */
export function buildStatement(modelName: string, files: readonly { path: string; sha256: string }[]): Buffer {
  const resources = files
    .filter((f) => !isIgnored(f.path, REGISTRY_IGNORED))
    .map((f) => ({ name: f.path, algorithm: 'sha256', digest: f.sha256.toLowerCase() }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const statement = {
    _type: STATEMENT_TYPE,
    subject: [{ name: modelName, digest: { sha256: rootDigest(resources) } }],
    predicateType: PREDICATE_TYPE,
    predicate: {
      serialization: { method: 'files', hash_type: 'sha256', allow_symlinks: false, ignore_paths: [...REGISTRY_IGNORED] },
      resources,
    },
  };
  return Buffer.from(JSON.stringify(statement, null, 2));
}

/** A key-signed bundle in the tool's layout (its `sign key` writes the same fields). */
export function buildKeyBundle(payload: Buffer, derSignature: Buffer, keyHint: string): Buffer {
  const bundle = {
    mediaType: BUNDLE_MEDIA_TYPE,
    verificationMaterial: { publicKey: { hint: keyHint }, tlogEntries: [] },
    dsseEnvelope: { payload: payload.toString('base64'), payloadType: PAYLOAD_TYPE, signatures: [{ sig: derSignature.toString('base64'), keyid: '' }] },
  };
  return Buffer.from(JSON.stringify(bundle, null, 2));
}
