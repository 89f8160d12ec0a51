import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { TransitionRecord } from '../../domain/catalog/catalog-records';
import type { LifecycleStage } from '../../domain/lifecycle/lifecycle-stage';

@Entity({ name: 'lifecycle_transitions' })
export class LifecycleTransitionEntity implements TransitionRecord {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'model_id', type: 'uuid' })
  modelId!: string;

  @Column({ name: 'version_id', type: 'uuid', nullable: true })
  versionId!: string | null;

  /** Null for the entry that created the model or version. */
  @Column({ name: 'from_status', type: 'text', nullable: true })
  fromStatus!: LifecycleStage | null;

  @Column({ name: 'to_status', type: 'text' })
  toStatus!: LifecycleStage;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ type: 'text' })
  actor!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;
}
