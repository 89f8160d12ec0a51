import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ArtifactFormat } from '../../domain/artifacts/artifact-format';

const nullableCount = { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) };

/** One file an import listed, and once staged, what was stored: the manifest in progress, in the database. */
@Entity({ name: 'import_files' })
export class ImportFileEntity {
  @PrimaryColumn({ name: 'operation_id', type: 'uuid' })
  operationId!: string;

  @PrimaryColumn({ type: 'text' })
  path!: string;

  @Column({ type: 'integer' })
  ordinal!: number;

  // Files stay under 2^53 bytes: a plain number is exact here.
  @Column({ type: 'bigint', nullable: true, transformer: nullableCount })
  size!: number | null;

  @Column({ name: 'expected_sha256', type: 'text', nullable: true })
  expectedSha256!: string | null;

  @Column({ name: 'git_blob_id', type: 'text', nullable: true })
  gitBlobId!: string | null;

  /** Set once the file is stored; null while it is still to be staged. */
  @Column({ type: 'text', nullable: true })
  sha256!: string | null;

  @Column({ name: 'stored_size', type: 'bigint', nullable: true, transformer: nullableCount })
  storedSize!: number | null;

  @Column({ type: 'text', nullable: true })
  format!: ArtifactFormat | null;
}
