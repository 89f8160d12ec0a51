import type { EntityManager } from 'typeorm';
import { assertTransition } from '../domain/lifecycle/lifecycle';
import type { ModelStatus } from '../domain/lifecycle/model-status';
import { LifecycleTransitionEntity } from '../persistence/entities/lifecycle-transition.entity';
import { ModelEntity } from '../persistence/entities/model.entity';
import { publishEvent } from './events/hub-events';

/** Records a lifecycle entry (who, when, from, to, why) and announces it to subscribers on commit. */
export async function recordTransition(
  tx: EntityManager,
  modelId: string,
  from: ModelStatus | null,
  to: ModelStatus,
  reason: string | null,
  actor: string,
): Promise<void> {
  const at = new Date();
  await tx.getRepository(LifecycleTransitionEntity).insert({ modelId, fromStatus: from, toStatus: to, reason, actor, occurredAt: at });
  await publishEvent(tx, { kind: 'status', modelId, from, to, reason, at });
}

/** Moves a model (already locked by the caller) along the state machine; refuses what it forbids. */
export async function moveModel(
  tx: EntityManager,
  model: ModelEntity,
  to: ModelStatus,
  reason: string | null,
  actor: string,
): Promise<ModelEntity> {
  assertTransition(model.status, to);
  const from = model.status;
  model.status = to;
  const saved = await tx.getRepository(ModelEntity).save(model);
  await recordTransition(tx, model.id, from, to, reason, actor);
  return saved;
}
