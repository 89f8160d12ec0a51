import { createHash, randomUUID, sign } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EntityManager } from 'typeorm';
import { ArtifactFormat } from '../domain/artifacts/artifact-format';
import { buildKeyBundle, buildStatement, isIgnored, pae, REGISTRY_IGNORED, SIGNATURE_FILE } from '../domain/signing/model-signature';
import { VersionFileEntity } from '../persistence/entities/version-file.entity';
import { VersionSignatureEntity } from '../persistence/entities/version-signature.entity';
import type { RegistryKeyStore } from '../signing/registry-key';
import type { ArtifactStore } from '../storage/artifact-store';
import type { StoreRegistry } from './store-registry';

/**
 * The registry vouches for what it publishes: at publish, in the promotion's transaction, it signs the version's
 * manifest (every file but the ignored ones, with the sha256 it stored) with its own ECDSA P-256 key, in the
 * model-signing format, and the signature becomes the version's `model.sig` (an upstream one is kept on record,
 * its blob still referenced, and no longer served). From then on the file list is fixed: the hub revision of a
 * signed version is a commit of its own (hub-revision.ts), so no client ever sees one commit with two lists.
 */
export class RegistrySigningService {
  constructor(
    private readonly stores: StoreRegistry,
    private readonly keys: RegistryKeyStore,
    private readonly stagingDir: string,
  ) {}

  async publicKey(): Promise<{ pem: string; fingerprint: string }> {
    const key = await this.keys.key();
    return { pem: key.publicKeyPem, fingerprint: key.fingerprint };
  }

  /** Signs a version becoming PUBLISHED; once signed it stays signed (a re-publish changes nothing). */
  async signAtPublish(tx: EntityManager, model: { name: string }, versionId: string): Promise<void> {
    const signatures = tx.getRepository(VersionSignatureEntity);
    if (await signatures.existsBy({ versionId, origin: 'REGISTRY' })) return;
    const files = await tx.getRepository(VersionFileEntity).find({ where: { versionId }, order: { path: 'ASC' } });
    const upstream = files.find((f) => f.path === SIGNATURE_FILE);
    if (upstream && !(await signatures.existsBy({ versionId, origin: 'UPSTREAM' }))) {
      // Imported before signatures were checked: kept on record (and its blob referenced), never judged.
      await signatures.insert({
        versionId, origin: 'UPSTREAM', valid: false, method: null, keyFingerprint: null, certificateSubject: null, certificateSan: null,
        coveredFiles: [], problems: ['not checked: imported before upstream signatures were verified'], sha256: upstream.sha256, size: upstream.size, verifiedAt: new Date(),
      });
    }
    const served = files.filter((f) => f.path !== SIGNATURE_FILE);
    const key = await this.keys.key();
    const statement = buildStatement(model.name, served);
    const bundle = buildKeyBundle(statement, sign('sha256', pae(statement), key.privateKey), key.fingerprint);
    const blob = { sha256: createHash('sha256').update(bundle).digest('hex'), size: bundle.length };
    await this.storeBytes((await this.stores.forVersion(versionId, tx)).store, bundle, blob);
    await tx.getRepository(VersionFileEntity).upsert({ versionId, path: SIGNATURE_FILE, size: blob.size, sha256: blob.sha256, format: ArtifactFormat.OTHER }, ['versionId', 'path']);
    await signatures.insert({
      versionId, origin: 'REGISTRY', valid: true, method: 'KEY', keyFingerprint: key.fingerprint, certificateSubject: null, certificateSan: null,
      coveredFiles: served.map((f) => f.path).filter((p) => !isIgnored(p, REGISTRY_IGNORED)), problems: [], ...blob, verifiedAt: new Date(),
    });
  }

  /** Into the version's content-addressed store before the transaction commits (a rolled-back publish leaves a blob the collector takes). */
  private async storeBytes(store: ArtifactStore, bytes: Buffer, blob: { sha256: string; size: number }): Promise<void> {
    const dir = path.join(this.stagingDir, 'signatures');
    await mkdir(dir, { recursive: true });
    const staged = path.join(dir, `${randomUUID()}.sig`);
    try {
      await writeFile(staged, bytes);
      await store.adoptStagedFile(staged, blob);
    } finally {
      await rm(staged, { force: true });
    }
  }
}
