import type { EntityManager } from 'typeorm';
import { NotFoundError } from '../domain/common/domain-error';
import { ModelEntity } from '../persistence/entities/model.entity';

/**
 * Loads a model FOR UPDATE inside a transaction: every write that checks the model's state
 * (status, default version) first takes this lock, so concurrent writers see each other's result.
 */
export async function lockModel(tx: EntityManager, id: string): Promise<ModelEntity> {
  const model = await tx.getRepository(ModelEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  if (!model) throw new NotFoundError('Model', id);
  return model;
}
