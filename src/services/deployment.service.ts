import type { DataSource, EntityManager } from 'typeorm';
import { type Caller, actorOf, holdsRole } from '../domain/auth/caller';
import { Role } from '../domain/auth/roles';
import { ConflictError, NotFoundError } from '../domain/common/domain-error';
import { optionalText, uuid } from '../domain/common/field-rules';
import { type DeploymentInput, type DeploymentRecord, validateDeployment } from '../domain/deployments/deployment';
import { readableCondition, readableParam } from '../domain/governance/access';
import { isUsable } from '../domain/lifecycle/lifecycle';
import type { ModelEntity } from '../persistence/entities/model.entity';
import type { VersionEntity } from '../persistence/entities/version.entity';
import { recordAudit } from './audit.service';
import { recordEvent } from './events/outbox';
import { lockVersionAndModel, requireRoleOnLocked } from './promotion-records';

const COLUMNS = `d.id, d.model_id AS "modelId", d.version_id AS "versionId", d.environment, d.endpoint, d.description,
  d.deployed_by AS "deployedBy", d.deployed_at AS "deployedAt", d.ended_by AS "endedBy", d.ended_at AS "endedAt", d.end_reason AS "endReason"`;

/** The payload a receiver needs without calling back: ids, names, where and since when. */
export function deploymentEventData(d: DeploymentRecord, model: Pick<ModelEntity, 'id' | 'name'>, version: Pick<VersionEntity, 'id' | 'version'>, actor: string): Record<string, unknown> {
  return {
    actor,
    deploymentId: d.id,
    modelId: model.id,
    modelName: model.name,
    versionId: version.id,
    version: version.version,
    environment: d.environment,
    endpoint: d.endpoint,
    deployedBy: d.deployedBy,
    deployedAt: d.deployedAt.toISOString(),
    ...(d.endedAt ? { endedBy: d.endedBy, endedAt: d.endedAt.toISOString(), endReason: d.endReason } : {}),
  };
}

/** Active deployments of a version, inside a transaction that holds its model's lock (archive, quarantine). */
export async function activeDeployments(tx: EntityManager, versionId: string): Promise<DeploymentRecord[]> {
  return (await tx.query(`SELECT ${COLUMNS} FROM deployments d WHERE d.version_id = $1 AND d.ended_at IS NULL ORDER BY d.deployed_at, d.id`, [versionId])) as DeploymentRecord[];
}

/**
 * Where versions run: recorded and ended by an editor of the model's project or a `deployer` service token for it,
 * checked inside the transaction with the model and version locked (the lock order of every lifecycle write, so an
 * archive cannot slip between the check and the record). Each is audited and sent as an event in that transaction.
 */
export class DeploymentService {
  constructor(private readonly db: DataSource) {}

  async record(caller: Caller, input: DeploymentInput): Promise<DeploymentRecord> {
    const versionId = uuid('versionId', input.versionId);
    const fields = validateDeployment(input);
    return this.db.transaction(async (tx) => {
      const { model, version } = await lockVersionAndModel(tx, versionId, () => new NotFoundError('Version', input.versionId));
      const project = await requireRoleOnLocked(tx, caller, model, 'Version', input.versionId, Role.DEPLOYER, 'Recording a deployment');
      if (!isUsable(version.status)) {
        throw new ConflictError(`Version ${version.version} is ${version.status}; only a VERIFIED, EVALUATED or PUBLISHED version can be deployed`, { status: version.status });
      }
      const inserted = (await tx.query(
        `INSERT INTO deployments (model_id, version_id, environment, endpoint, description, deployed_by) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (version_id, environment, endpoint) WHERE ended_at IS NULL DO NOTHING RETURNING id`,
        [model.id, version.id, fields.environment, fields.endpoint, fields.description, caller.subject.slice(0, 256)],
      )) as { id: string }[];
      const [row] = (await tx.query(
        `SELECT ${COLUMNS} FROM deployments d WHERE d.version_id = $1 AND d.environment = $2 AND d.endpoint = $3 AND d.ended_at IS NULL`,
        [version.id, fields.environment, fields.endpoint],
      )) as DeploymentRecord[];
      // Recorded again (a pipeline re-run): the same record, nothing new to tell.
      if (inserted.length === 0) return row;
      const { subject, requestId } = actorOf(caller);
      await recordAudit(tx, {
        action: 'deployment.recorded', actor: subject, requestId, modelId: model.id, versionId: version.id, subjectId: row.id,
        reason: fields.description, details: { environment: row.environment, endpoint: row.endpoint, as: holdsRole(caller, project, Role.EDITOR) ? 'editor' : 'deployer' },
      });
      await recordEvent(tx, { type: 'deployment.recorded', project, data: deploymentEventData(row, model, version, subject) });
      return row;
    });
  }

  async end(caller: Caller, deploymentId: string, reason: string | null): Promise<DeploymentRecord> {
    const id = uuid('id', deploymentId);
    const why = optionalText('reason', reason, 2000);
    return this.db.transaction(async (tx) => {
      const [found] = (await tx.query(`SELECT version_id FROM deployments WHERE id = $1`, [id])) as { version_id: string }[];
      const missing = () => new NotFoundError('Deployment', deploymentId);
      if (!found) throw missing();
      const { model, version } = await lockVersionAndModel(tx, found.version_id, missing);
      const project = await requireRoleOnLocked(tx, caller, model, 'Deployment', deploymentId, Role.DEPLOYER, 'Ending a deployment');
      const [row] = (await tx.query(
        `UPDATE deployments d SET ended_at = now(), ended_by = $2, end_reason = $3 WHERE d.id = $1 AND d.ended_at IS NULL RETURNING ${COLUMNS}`,
        [id, caller.subject.slice(0, 256), why],
      )) as [DeploymentRecord[], number];
      const ended = row?.[0];
      if (!ended) throw new ConflictError(`Deployment ${id} has already ended`, { deploymentId: id });
      const { subject, requestId } = actorOf(caller);
      await recordAudit(tx, {
        action: 'deployment.ended', actor: subject, requestId, modelId: model.id, versionId: version.id, subjectId: ended.id, reason: why,
        details: { environment: ended.environment, endpoint: ended.endpoint, deployedAt: ended.deployedAt.toISOString() },
      });
      await recordEvent(tx, { type: 'deployment.ended', project, data: deploymentEventData(ended, model, version, subject) });
      return ended;
    });
  }

  /** Active deployments of these versions the caller may read (a loader's batch), oldest first. */
  forVersions(caller: Caller, versionIds: readonly string[]): Promise<DeploymentRecord[]> {
    return this.active(caller, 'd.version_id', versionIds);
  }

  forModels(caller: Caller, modelIds: readonly string[]): Promise<DeploymentRecord[]> {
    return this.active(caller, 'd.model_id', modelIds);
  }

  private async active(caller: Caller, column: string, ids: readonly string[]): Promise<DeploymentRecord[]> {
    const visible = readableCondition(caller, 'm', '$2');
    return (await this.db.query(
      `SELECT ${COLUMNS} FROM deployments d JOIN models m ON m.id = d.model_id
        WHERE ${column} = ANY($1::uuid[]) AND d.ended_at IS NULL${visible ? ` AND ${visible}` : ''} ORDER BY d.deployed_at, d.id`,
      visible ? [[...ids], readableParam(caller)] : [[...ids]],
    )) as DeploymentRecord[];
  }
}
