import type { Readable } from 'node:stream';
import type { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../domain/auth/caller';
import { resolvePolicy } from '../domain/governance/promotion-policy';
import type { ManifestEntry } from '../domain/onboarding/manifest';
import {
  compareFiles,
  MAX_SIGNATURE_BYTES,
  PAYLOAD_TYPE,
  parseBundle,
  parseStatement,
  type SignatureBundle,
  SIGNATURE_FILE,
  SignatureFormatError,
  unsupportedSerialization,
} from '../domain/signing/model-signature';
import { keyFingerprint, type SignerIdentity, type TrustAnchors, verifyEnvelope } from '../domain/signing/signature-trust';
import { ModelEntity } from '../persistence/entities/model.entity';
import { ProjectEntity } from '../persistence/entities/project.entity';
import { VersionEntity } from '../persistence/entities/version.entity';
import { VersionSignatureEntity } from '../persistence/entities/version-signature.entity';
import type { ArtifactStore } from '../storage/artifact-store';
import { trustAnchors } from './signing-trust';
import type { StoreRegistry } from './store-registry';
import { narrowed } from './version-files-read';

/** What a verification found: the row written for the version (UPSTREAM). */
export type SignatureVerdict = Omit<VersionSignatureEntity, 'versionId' | 'origin' | 'verifiedAt'>;

const LISTED = 10;

function listed(what: string, paths: readonly string[]): string {
  const shown = paths.slice(0, LISTED).join(', ');
  return `${what}: ${shown}${paths.length > LISTED ? ` and ${paths.length - LISTED} more` : ''}`;
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Why a key given at import was left out: the project's requirement is about signers it chose. */
const IMPORT_KEY_IGNORED = (project: string): string =>
  `project "${project}" requires a signature by a signer it trusts, and a key given at import does not count (add the key to the project's trusted keys)`;

const NO_SIGNER: SignerIdentity = { method: 'KEY', keyFingerprint: null, certificateSubject: null, certificateSan: null };

/**
 * Upstream signatures (`model.sig` in the files, OpenSSF model-signing format) checked against the files as stored:
 * their sha256, computed when each was stored, compared with the signed manifest; offline, against the keys and CA
 * certificates the project trusts and the key given at import (not where the project requires signatures). The
 * verdict is recorded on the version, and one that does not hold is a finding that keeps the version from VERIFIED.
 */
export class SignatureService {
  constructor(
    private readonly db: DataSource,
    private readonly stores: StoreRegistry,
  ) {}

  /**
   * Inside the import's settling transaction: records what the files' signature proves (or that there is none) and
   * returns the findings (an invalid signature; no signature under a project that requires one).
   */
  async checkUpstream(tx: EntityManager, project: string, version: { id: string; signingPublicKey: string | null }, manifest: readonly ManifestEntry[]): Promise<string[]> {
    const repo = tx.getRepository(VersionSignatureEntity);
    await repo.delete({ versionId: version.id, origin: 'UPSTREAM' });
    const settings = await tx.getRepository(ProjectEntity).findOneBy({ id: project });
    const file = manifest.find((f) => f.path === SIGNATURE_FILE);
    if (!file) {
      return resolvePolicy(settings?.policy).requireSignature
        ? [`signature: project "${project}" requires a valid upstream signature and the files carry no ${SIGNATURE_FILE}`]
        : [];
    }
    const { store } = await this.stores.forVersion(version.id, tx);
    // Where the project requires signatures, only the signers it trusts count: the key given at an import comes from
    // whoever imports, so a signature checked against it proves the files are what that key's holder signed, nobody more.
    const required = resolvePolicy(settings?.policy).requireSignature;
    const verdict = await this.judge(store, trustAnchors(settings, required ? null : version.signingPublicKey), file, manifest);
    if (!verdict.valid && required && version.signingPublicKey) verdict.problems.push(IMPORT_KEY_IGNORED(project));
    await repo.insert({ ...verdict, versionId: version.id, origin: 'UPSTREAM', verifiedAt: new Date() });
    return verdict.valid ? [] : [`signature: ${SIGNATURE_FILE} does not verify: ${verdict.problems.join('; ')}`];
  }

  /**
   * The version's upstream signature as a promotion's signature gate judges it now: the verdict recorded at import,
   * and, under the gate (`signerMustBeTrusted`: the target holds `signature-valid`), whether the project the model is in
   * today trusts its signer. A key signature is checked by its fingerprint among the project's keys (never the key
   * given at import); a certificate one is verified again from its stored `model.sig` against the CA certificates the
   * project trusts now (a CA since removed, or another CA in a project the model moved to, fails). Without the gate
   * the import's verdict stands as recorded and nothing is read from the store.
   */
  async asTrustedNow(tx: EntityManager, project: string, version: { id: string; signingPublicKey: string | null }, signerMustBeTrusted: boolean): Promise<{ valid: boolean; problems: string[] } | null> {
    const row = await tx.getRepository(VersionSignatureEntity).findOne({
      where: { versionId: version.id, origin: 'UPSTREAM' },
      select: { valid: true, problems: true, method: true, keyFingerprint: true, sha256: true },
    });
    if (!row) return null;
    if (!row.valid || !signerMustBeTrusted) return { valid: row.valid, problems: row.problems };
    const settings = await tx.getRepository(ProjectEntity).findOne({ where: { id: project }, select: { id: true, trustedSigningKeys: true, trustedSigningCertificates: true } });
    const trust = trustAnchors(settings, null);
    if (row.method === 'CERTIFICATE') return this.certificateTrustedNow(tx, project, version.id, row.sha256, trust);
    if (row.keyFingerprint !== null && trust.keys.some((key) => keyFingerprint(key) === row.keyFingerprint)) return { valid: true, problems: [] };
    const key = `it was signed by key ${(row.keyFingerprint ?? 'unknown').slice(0, 16)}…`;
    const givenAtImport = version.signingPublicKey !== null && trustAnchors(null, version.signingPublicKey).keys.some((k) => keyFingerprint(k) === row.keyFingerprint);
    return {
      valid: false,
      problems: [
        givenAtImport
          ? `${key}, the key given at import; the signature-valid gate counts only the signers project "${project}" trusts (add the key to its trusted keys)`
          : `${key}, which project "${project}" does not trust now`,
      ],
    };
  }

  /** A certificate signature verified again from its stored bundle; a bundle that cannot be read fails the gate, saying why. */
  private async certificateTrustedNow(tx: EntityManager, project: string, versionId: string, sha256: string, trust: TrustAnchors): Promise<{ valid: boolean; problems: string[] }> {
    let bundle: SignatureBundle;
    try {
      const { store } = await this.stores.forVersion(versionId, tx);
      bundle = parseBundle(await collect(await store.read(sha256, 0, MAX_SIGNATURE_BYTES)));
    } catch (error) {
      return { valid: false, problems: [`its stored ${SIGNATURE_FILE} could not be read to verify it again: ${(error as Error).message}`] };
    }
    const envelope = verifyEnvelope(bundle, trust);
    return envelope.valid ? { valid: true, problems: [] } : { valid: false, problems: [`verified again against the CA certificates project "${project}" trusts now: ${envelope.problem}`] };
  }

  private async judge(store: ArtifactStore, trust: TrustAnchors, file: ManifestEntry, manifest: readonly ManifestEntry[]): Promise<SignatureVerdict> {
    const base = { sha256: file.sha256, size: file.size, coveredFiles: [] as string[] };
    const refuse = (problem: string, signer: SignerIdentity = NO_SIGNER): SignatureVerdict => ({ ...base, ...signer, method: signer === NO_SIGNER ? null : signer.method, valid: false, problems: [problem] });
    if (file.size > MAX_SIGNATURE_BYTES) return refuse(`is ${file.size} bytes, larger than any signature (${MAX_SIGNATURE_BYTES})`);
    try {
      const bundle = parseBundle(await collect(await store.read(file.sha256)));
      const envelope = verifyEnvelope(bundle, trust);
      if (!envelope.valid) return refuse(envelope.problem, envelope.signer ?? NO_SIGNER);
      const signer = envelope.signer;
      if (bundle.payloadType !== PAYLOAD_TYPE) return refuse(`payload type ${bundle.payloadType} is not ${PAYLOAD_TYPE}`, signer);
      const signed = parseStatement(bundle.payload);
      const unsupported = unsupportedSerialization(signed);
      if (unsupported) return refuse(`cannot check ${unsupported}`, signer);
      const coverage = compareFiles(signed, manifest);
      const problems = [
        ...(coverage.mismatched.length ? [listed('files differ from the signed digest', coverage.mismatched)] : []),
        ...(coverage.missing.length ? [listed('signed files are missing', coverage.missing)] : []),
        ...(coverage.extra.length ? [listed('files the signature does not cover', coverage.extra)] : []),
      ];
      return { ...base, ...signer, valid: problems.length === 0, problems, coveredFiles: coverage.covered };
    } catch (error) {
      if (error instanceof SignatureFormatError) return refuse(`is not a model-signing signature: ${error.message}`);
      throw error;
    }
  }

  /** Both signatures of each version the caller may read (one query for a page of versions). */
  forVersions(caller: Caller, versionIds: readonly string[]): Promise<VersionSignatureEntity[]> {
    const query = this.db
      .getRepository(VersionSignatureEntity)
      .createQueryBuilder('s')
      .innerJoin(VersionEntity, 'v', 'v.id = s.version_id')
      .innerJoin(ModelEntity, 'm', 'm.id = v.model_id')
      .where('s.version_id = ANY(:ids)', { ids: [...versionIds] });
    return narrowed(query, caller).getMany();
  }

  /** Which of these versions the registry has signed (their hub commit is then the signed one). */
  registrySignedAmong(versionIds: readonly string[]): Promise<Set<string>> {
    return registrySignedIds(this.db, versionIds);
  }
}

/** Which of these versions the registry has signed: their hub revision names the signed file list (hub-revision.ts). */
export async function registrySignedIds(db: DataSource | EntityManager, versionIds: readonly string[]): Promise<Set<string>> {
  if (versionIds.length === 0) return new Set();
  const rows = (await db.query(`SELECT version_id FROM version_signatures WHERE version_id = ANY($1::uuid[]) AND origin = 'REGISTRY'`, [[...versionIds]])) as { version_id: string }[];
  return new Set(rows.map((r) => r.version_id));
}
