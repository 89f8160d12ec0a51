import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ArtifactFormat } from '../../domain/artifacts/artifact-format';
import type { ManifestEntry } from '../../domain/onboarding/manifest';

@Entity({ name: 'version_files' })
export class VersionFileEntity implements ManifestEntry {
  @PrimaryColumn({ name: 'version_id', type: 'uuid' })
  versionId!: string;

  @PrimaryColumn({ type: 'text' })
  path!: string;

  // Files stay under 2^53 bytes: a plain number is exact here.
  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  size!: number;

  @Column({ type: 'text' })
  sha256!: string;

  @Column({ type: 'text' })
  format!: ArtifactFormat;
}
