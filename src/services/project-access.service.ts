import type { DataSource, EntityManager } from 'typeorm';
import { type Principal, Role } from '../domain/auth/roles';
import { NotFoundError } from '../domain/common/domain-error';
import { uuid } from '../domain/common/field-rules';
import { canRead, readScope, requireRoleIn } from '../domain/governance/access';
import type { ActorRef } from '../domain/governance/audit-entry';
import { projectId, projectOf } from '../domain/governance/project';
import { mergeOverrides, type PolicyOverrides, type PromotionPolicy, resolvePolicy } from '../domain/governance/promotion-policy';
import { ModelEntity } from '../persistence/entities/model.entity';
import { ProjectEntity } from '../persistence/entities/project.entity';
import { VersionEntity } from '../persistence/entities/version.entity';
import type { AuditService } from './audit.service';

export interface ProjectView {
  id: string;
  public: boolean;
  policy: PromotionPolicy;
  overrides: PolicyOverrides;
}

export interface ProjectSettings {
  id: string;
  public?: boolean | null;
  policy?: PolicyOverrides | null;
}

/** Projects: who may read and write what, each project's visibility and its promotion policy. */
export class ProjectAccessService {
  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  async publicProjects(): Promise<Set<string>> {
    const rows = await this.db.getRepository(ProjectEntity).find({ where: { public: true }, select: { id: true } });
    return new Set(rows.map((row) => row.id));
  }

  async policyOf(manager: EntityManager, project: string): Promise<PromotionPolicy> {
    const row = await manager.getRepository(ProjectEntity).findOneBy({ id: project });
    return resolvePolicy(row?.policy);
  }

  async project(principal: Principal, id: string): Promise<ProjectView> {
    const key = projectId('id', id);
    const row = await this.db.getRepository(ProjectEntity).findOneBy({ id: key });
    if (!canRead(readScope(principal), key, new Set(row?.public ? [key] : []))) throw new NotFoundError('Project', id);
    return { id: key, public: row?.public ?? false, policy: resolvePolicy(row?.policy), overrides: row?.policy ?? {} };
  }

  /** Admins of a project set its visibility and policy; only given fields change. */
  async configure(settings: ProjectSettings, principal: Principal, actor: ActorRef): Promise<ProjectView> {
    const id = projectId('id', settings.id);
    requireRoleIn(principal, id, Role.ADMIN, 'Configuring a project');
    return this.db.transaction(async (tx) => {
      const repo = tx.getRepository(ProjectEntity);
      const before = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      const overrides = mergeOverrides(before?.policy ?? {}, settings.policy ?? {});
      const policy = resolvePolicy(overrides); // refuses a policy that is not one before anything is written
      const isPublic = settings.public ?? before?.public ?? false;
      await repo.upsert({ id, public: isPublic, policy: overrides as ProjectEntity['policy'], updatedBy: actor.subject }, ['id']);
      await this.audit.record(tx, {
        action: 'project.configured',
        actor: actor.subject,
        requestId: actor.requestId,
        project: id,
        subjectId: id,
        details: { before: before ? { public: before.public, policy: before.policy } : null, after: { public: isPublic, policy: overrides } },
      });
      return { id, public: isPublic, policy, overrides };
    });
  }

  /** A model the caller may read, else NOT_FOUND (as if it did not exist). */
  async readableModel(principal: Principal, model: ModelEntity): Promise<ModelEntity> {
    const project = projectOf(model);
    const scope = readScope(principal);
    if (scope.all || scope.projects.includes(project)) return model;
    if ((await this.publicProjects()).has(project)) return model;
    throw new NotFoundError('Model', model.id);
  }

  /** NOT_FOUND unless the caller may read the model with this id. */
  async readableModelId(principal: Principal, modelId: string): Promise<void> {
    const row = await this.db.getRepository(ModelEntity).findOne({ where: { id: uuid('modelId', modelId) }, select: { id: true, project: true } });
    if (!row) throw new NotFoundError('Model', modelId);
    await this.readableModel(principal, row);
  }

  /** The project a version's model belongs to, for write checks (NOT_FOUND for an unknown version). */

  async projectOfVersion(versionId: string): Promise<string> {
    const id = uuid('versionId', versionId);
    const row = await this.db
      .getRepository(VersionEntity)
      .createQueryBuilder('v')
      .innerJoin(ModelEntity, 'm', 'm.id = v.model_id')
      .select('m.project', 'project')
      .where('v.id = :id', { id })
      .getRawOne<{ project: string | null }>();
    if (!row) throw new NotFoundError('Version', versionId);
    return projectOf(row);
  }

  async projectOfModel(modelId: string): Promise<string> {
    const row = await this.db.getRepository(ModelEntity).findOne({ where: { id: uuid('modelId', modelId) }, select: { id: true, project: true } });
    if (!row) throw new NotFoundError('Model', modelId);
    return projectOf(row);
  }

  /** The project of a row that references a model (operations, local caches, …) by a join through `model_id`. */
  async projectVia(table: 'operations' | 'local_caches', id: string, entity: string): Promise<string> {
    const rows = (await this.db.query(
      table === 'operations'
        ? `SELECT m.project FROM operations o JOIN models m ON m.id = o.model_id WHERE o.id = $1`
        : `SELECT m.project FROM local_caches c JOIN model_versions v ON v.id = c.version_id JOIN models m ON m.id = v.model_id WHERE c.id = $1`,
      [uuid('id', id)],
    )) as { project: string | null }[];
    if (!rows[0]) throw new NotFoundError(entity, id);
    return projectOf(rows[0]);
  }

  /** The project of the model with this name, or null when there is none yet (an import creates it). */
  async projectOfName(name: string): Promise<string | null> {
    const row = await this.db.getRepository(ModelEntity).findOne({ where: { name: name.trim().toLowerCase() }, select: { id: true, project: true } });
    return row ? projectOf(row) : null;
  }

  /** Writes on a model need `role` in its project: FORBIDDEN otherwise (NOT_FOUND only for what does not exist). */
  async requireModelWrite(principal: Principal, modelId: string, role: Role, action: string): Promise<void> {
    requireRoleIn(principal, await this.projectOfModel(modelId), role, action);
  }

  async requireVersionWrite(principal: Principal, versionId: string, role: Role, action: string): Promise<void> {
    requireRoleIn(principal, await this.projectOfVersion(versionId), role, action);
  }
}
