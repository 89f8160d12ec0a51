import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { SignatureOrigin, SignatureRecord } from '../../domain/signing/signature-record';
import type { SignatureMethod } from '../../domain/signing/signature-trust';

/** What a version's `model.sig` proved (UPSTREAM, checked at import) or the registry's own (REGISTRY, written at publish). */
@Entity({ name: 'version_signatures' })
export class VersionSignatureEntity implements SignatureRecord {
  @PrimaryColumn({ name: 'version_id', type: 'uuid' })
  versionId!: string;

  @PrimaryColumn({ type: 'text' })
  origin!: SignatureOrigin;

  @Column({ type: 'boolean' })
  valid!: boolean;

  @Column({ type: 'text', nullable: true })
  method!: SignatureMethod | null;

  @Column({ name: 'key_fingerprint', type: 'text', nullable: true })
  keyFingerprint!: string | null;

  @Column({ name: 'certificate_subject', type: 'text', nullable: true })
  certificateSubject!: string | null;

  @Column({ name: 'certificate_san', type: 'text', nullable: true })
  certificateSan!: string | null;

  @Column({ name: 'covered_files', type: 'jsonb' })
  coveredFiles!: string[];

  @Column({ type: 'jsonb' })
  problems!: string[];

  /** The signature file's blob (kept by the collector while this row names it). */
  @Column({ type: 'text' })
  sha256!: string;

  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  size!: number;

  @Column({ name: 'verified_at', type: 'timestamptz' })
  verifiedAt!: Date;
}
