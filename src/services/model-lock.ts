import type { EntityManager } from 'typeorm';
import { type Caller, canReadProject, requireRole } from '../domain/auth/caller';
import type { Role } from '../domain/auth/roles';
import { NotFoundError } from '../domain/common/domain-error';
import { PROJECT_SQL, projectOf } from '../domain/governance/project';
import { ModelEntity } from '../persistence/entities/model.entity';
import { ProjectEntity } from '../persistence/entities/project.entity';

/**
 * Loads a model FOR UPDATE inside a transaction: every write that checks the model's state
 * (status, default version) first takes this lock, so concurrent writers see each other's result.
 */
export async function lockModel(tx: EntityManager, id: string): Promise<ModelEntity> {
  const model = await tx.getRepository(ModelEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  if (!model) throw new NotFoundError('Model', id);
  return model;
}

/**
 * `lockModel` and ProjectAccessService.authorize in one round trip: the model locked FOR UPDATE with whether its
 * project is public, then the caller's role checked in that project as it is under the lock. An unreadable model
 * is NOT_FOUND like an unknown id; a readable one without `role` there is FORBIDDEN.
 */
export async function lockModelFor(tx: EntityManager, caller: Caller, id: string, role: Role, action: string): Promise<ModelEntity> {
  const { entities, raw } = await tx
    .getRepository(ModelEntity)
    .createQueryBuilder('m')
    .leftJoin(ProjectEntity, 'p', `p.id = ${PROJECT_SQL('m')}`)
    .addSelect('p.public', 'project_public')
    .where('m.id = :id', { id })
    .setLock('pessimistic_write', undefined, ['m'])
    .getRawAndEntities<{ project_public: boolean | null }>();
  const model = entities[0];
  if (!model) throw new NotFoundError('Model', id);
  const project = projectOf(model);
  const isPublic = raw[0]?.project_public ?? false;
  if (!canReadProject(caller, project, isPublic)) throw new NotFoundError('Model', id);
  requireRole(caller, { entity: 'Model', key: id, project, isPublic }, role, action);
  return model;
}
