import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { CacheState, LocalCacheRecord } from '../../domain/onboarding/manifest';
import { bigintColumn } from '../column-transformers';

@Entity({ name: 'local_caches' })
export class LocalCacheEntity implements LocalCacheRecord {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'version_id', type: 'uuid' })
  versionId!: string;

  @Column({ name: 'model_id', type: 'uuid' })
  modelId!: string;

  @Column({ type: 'text' })
  path!: string;

  @Column({ type: 'text' })
  state!: CacheState;

  @Column({ type: 'bigint', transformer: bigintColumn })
  bytes!: bigint;

  /** The worker host whose disk holds the cache; null until a worker claims it. */
  @Column({ type: 'text', nullable: true })
  host!: string | null;

  @Column({ name: 'host_task_queue', type: 'text', nullable: true })
  hostTaskQueue!: string | null;

  @Column({ name: 'operation_id', type: 'uuid', nullable: true })
  operationId!: string | null;

  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage!: string | null;

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'ready_at', type: 'timestamptz', nullable: true })
  readyAt!: Date | null;

  @Column({ name: 'evicted_at', type: 'timestamptz', nullable: true })
  evictedAt!: Date | null;
}
