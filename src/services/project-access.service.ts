import type { DataSource, EntityManager } from 'typeorm';
import { type Caller, canReadProject, holdsRole, readsByGrant, requireRole, type Target } from '../domain/auth/caller';
import { Role } from '../domain/auth/roles';
import { createPublicKey, X509Certificate } from 'node:crypto';
import { NotFoundError, ValidationError } from '../domain/common/domain-error';
import { keyFingerprint, parseCertificate, parsePublicKey, splitPem } from '../domain/signing/signature-trust';
import { uuid } from '../domain/common/field-rules';
import { projectId } from '../domain/governance/project';
import { mergeOverrides, type PolicyOverrides, type PromotionPolicy, resolvePolicy } from '../domain/governance/promotion-policy';
import { ProjectEntity } from '../persistence/entities/project.entity';
import type { AuditService } from './audit.service';

export interface ProjectView {
  id: string;
  public: boolean;
  policy: PromotionPolicy;
  overrides: PolicyOverrides;
  /** Public keys and CA certificates (PEM) upstream signatures are checked against. */
  trustedSigningKeys: string[];
  trustedSigningCertificates: string[];
}

export interface ProjectSettings {
  id: string;
  public?: boolean | null;
  policy?: PolicyOverrides | null;
  /** Replace the trusted lists when given (each PEM is checked before anything is written). */
  trustedSigningKeys?: readonly string[] | null;
  trustedSigningCertificates?: readonly string[] | null;
}

type Db = DataSource | EntityManager;
const MAX_SIGNERS = 50;

function checkedKeys(pems: readonly string[]): string[] {
  if (pems.length > MAX_SIGNERS) throw new ValidationError('trustedSigningKeys', `at most ${MAX_SIGNERS} keys`);
  return pems.map((pem, i) => parsePublicKey(`trustedSigningKeys[${i}]`, pem).export({ type: 'spki', format: 'pem' }).toString());
}

function checkedCertificates(pems: readonly string[]): string[] {
  if (pems.length > MAX_SIGNERS) throw new ValidationError('trustedSigningCertificates', `at most ${MAX_SIGNERS} certificates`);
  return pems.flatMap((pem, i) => {
    const found = splitPem(pem);
    if (found.length === 0) throw new ValidationError(`trustedSigningCertificates[${i}]`, 'is not a PEM X.509 certificate');
    return found.map((one) => parseCertificate(`trustedSigningCertificates[${i}]`, one).toString());
  });
}

/** What the audit log keeps of the trusted signers: fingerprints, not the PEM bodies. */
function signerPrints(keys: readonly string[] | undefined, certificates: readonly string[] | undefined): { keys: string[]; certificates: string[] } {
  return {
    keys: (keys ?? []).map((pem) => keyFingerprint(createPublicKey(pem))),
    certificates: (certificates ?? []).map((pem) => new X509Certificate(pem).fingerprint256),
  };
}
interface TargetRow {
  project: string;
  public: boolean | null;
}

// The project of an object and whether it is public, in one round trip; COALESCE matches PROJECT_SQL.
const MODEL_TARGET = `SELECT COALESCE(m.project, 'default') AS project, p.public FROM models m LEFT JOIN projects p ON p.id = COALESCE(m.project, 'default') WHERE m.id = $1`;
const VERSION_TARGET = `SELECT COALESCE(m.project, 'default') AS project, p.public FROM model_versions v JOIN models m ON m.id = v.model_id LEFT JOIN projects p ON p.id = COALESCE(m.project, 'default') WHERE v.id = $1`;
const OPERATION_TARGET = `SELECT COALESCE(m.project, 'default') AS project, p.public FROM operations o JOIN models m ON m.id = o.model_id LEFT JOIN projects p ON p.id = COALESCE(m.project, 'default') WHERE o.id = $1`;
const CACHE_TARGET = `SELECT COALESCE(m.project, 'default') AS project, p.public FROM local_caches c JOIN model_versions v ON v.id = c.version_id JOIN models m ON m.id = v.model_id LEFT JOIN projects p ON p.id = COALESCE(m.project, 'default') WHERE c.id = $1`;
const TARGETS = { Model: MODEL_TARGET, Version: VERSION_TARGET, Operation: OPERATION_TARGET, 'Local cache': CACHE_TARGET } as const;
export type TargetKind = keyof typeof TARGETS;

/**
 * Who may read and write what: every check of a caller against a project goes through here (reads narrow in SQL
 * with `readableCondition`). Writes pass their transaction, so the project checked is the one the object has
 * inside it (after a concurrent move, the new one).
 */
export class ProjectAccessService {
  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  async publicProjects(): Promise<Set<string>> {
    const rows = await this.db.getRepository(ProjectEntity).find({ where: { public: true }, select: { id: true } });
    return new Set(rows.map((row) => row.id));
  }

  async isPublic(project: string, db: Db = this.db): Promise<boolean> {
    const row = await db.getRepository(ProjectEntity).findOne({ where: { id: project }, select: { id: true, public: true } });
    return row?.public ?? false;
  }

  async canRead(caller: Caller, project: string, db: Db = this.db): Promise<boolean> {
    // A granted project needs no query; only the rest depend on being public.
    return readsByGrant(caller, project) || (await this.isPublic(project, db));
  }

  async policyOf(manager: EntityManager, project: string): Promise<PromotionPolicy> {
    const row = await manager.getRepository(ProjectEntity).findOneBy({ id: project });
    return resolvePolicy(row?.policy);
  }

  /** The project an object belongs to; NOT_FOUND for an id that does not exist *or* that the caller cannot read. */
  async target(caller: Caller, kind: TargetKind, id: string, db: Db = this.db): Promise<Target> {
    const rows = (await db.query(TARGETS[kind], [uuid('id', id)])) as TargetRow[];
    const row = rows[0];
    if (!row || !canReadProject(caller, row.project, row.public ?? false)) throw new NotFoundError(kind, id);
    return { entity: kind, key: id, project: row.project, isPublic: row.public ?? false };
  }

  /** A write on an object: NOT_FOUND when unreadable, FORBIDDEN without `role` in its project; its project. */
  async authorize(caller: Caller, kind: TargetKind, id: string, role: Role, action: string, db: Db = this.db): Promise<string> {
    const target = await this.target(caller, kind, id, db);
    requireRole(caller, target, role, action);
    return target.project;
  }

  /** A write into a project by name (registering a model there, moving one there). */
  async authorizeProject(caller: Caller, project: string, role: Role, action: string, db: Db = this.db): Promise<void> {
    // Whether the project is public only decides which refusal a caller without the role gets.
    if (holdsRole(caller, project, role)) return;
    requireRole(caller, { entity: 'Project', key: project, project, isPublic: await this.isPublic(project, db) }, role, action);
  }

  /** NOT_FOUND unless the caller may read the model with this id. */
  async readableModelId(caller: Caller, modelId: string): Promise<void> {
    await this.target(caller, 'Model', modelId);
  }

  async project(caller: Caller, id: string): Promise<ProjectView> {
    const key = projectId('id', id);
    const row = await this.db.getRepository(ProjectEntity).findOneBy({ id: key });
    if (!canReadProject(caller, key, row?.public ?? false)) throw new NotFoundError('Project', id);
    return {
      id: key, public: row?.public ?? false, policy: resolvePolicy(row?.policy), overrides: row?.policy ?? {},
      trustedSigningKeys: row?.trustedSigningKeys ?? [], trustedSigningCertificates: row?.trustedSigningCertificates ?? [],
    };
  }

  /** Admins of a project set its visibility and policy; only given fields change. */
  async configure(caller: Caller, settings: ProjectSettings): Promise<ProjectView> {
    const id = projectId('id', settings.id);
    await this.authorizeProject(caller, id, Role.ADMIN, 'Configuring a project');
    return this.db.transaction(async (tx) => {
      const repo = tx.getRepository(ProjectEntity);
      const before = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      const overrides = mergeOverrides(before?.policy ?? {}, settings.policy ?? {});
      const policy = resolvePolicy(overrides); // refuses a policy that is not one before anything is written
      const isPublic = settings.public ?? before?.public ?? false;
      const keys = settings.trustedSigningKeys ? checkedKeys(settings.trustedSigningKeys) : (before?.trustedSigningKeys ?? []);
      const certificates = settings.trustedSigningCertificates ? checkedCertificates(settings.trustedSigningCertificates) : (before?.trustedSigningCertificates ?? []);
      await repo.upsert(
        { id, public: isPublic, policy: overrides as ProjectEntity['policy'], trustedSigningKeys: keys, trustedSigningCertificates: certificates, updatedBy: caller.subject },
        ['id'],
      );
      await this.audit.record(tx, {
        action: 'project.configured',
        actor: caller.subject,
        requestId: caller.requestId,
        project: id,
        subjectId: id,
        details: {
          before: before ? { public: before.public, policy: before.policy, signers: signerPrints(before.trustedSigningKeys, before.trustedSigningCertificates) } : null,
          after: { public: isPublic, policy: overrides, signers: signerPrints(keys, certificates) },
        },
      });
      return { id, public: isPublic, policy, overrides, trustedSigningKeys: keys, trustedSigningCertificates: certificates };
    });
  }
}
