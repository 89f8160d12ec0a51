import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { TransitionRecord } from '../../domain/catalog/catalog-records';
import type { ModelStatus } from '../../domain/lifecycle/model-status';

@Entity({ name: 'lifecycle_transitions' })
export class LifecycleTransitionEntity implements TransitionRecord {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'model_id', type: 'uuid' })
  modelId!: string;

  /** Null for the entry that created the model. */
  @Column({ name: 'from_status', type: 'text', nullable: true })
  fromStatus!: ModelStatus | null;

  @Column({ name: 'to_status', type: 'text' })
  toStatus!: ModelStatus;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ type: 'text' })
  actor!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;
}
