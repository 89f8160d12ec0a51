import type { DataSource, EntityManager } from 'typeorm';
import { type Caller, holdsRole } from '../../domain/auth/caller';
import { Role } from '../../domain/auth/roles';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/common/domain-error';
import { uuid } from '../../domain/common/field-rules';
import { projectId } from '../../domain/governance/project';
import { webhookDescription, webhookEvents, webhookUrl } from '../../domain/webhooks/webhook-rules';
import type { SecretSealer } from '../../net/sealed-secret';
import { newWebhookSecret } from '../../net/webhook-signing';
import { recordAudit } from '../audit.service';
import { recordEvent } from '../events/outbox';
import type { ProjectAccessService } from '../project-access.service';
import { ENDPOINT_COLUMNS, type EndpointRow, endpointRecord, updatedRows, type WebhookEndpointRecord } from './webhook-records';

export interface CreateWebhookInput {
  project: string;
  url: string;
  events: readonly string[];
  description?: string | null;
}

export interface UpdateWebhookInput {
  url?: string | null;
  events?: readonly string[] | null;
  description?: string | null;
  enabled?: boolean | null;
}

/** An endpoint with its signing secret: returned by creation and rotation only, never again. */
export interface WebhookWithSecret {
  endpoint: WebhookEndpointRecord;
  secret: string;
}

const ACTION = 'Managing webhooks';

/**
 * Webhook endpoints of a project, managed by its editors and admins. An endpoint is invisible to everyone else:
 * without the editor role in its project it is NOT_FOUND, like an id that does not exist (its URL and the events
 * a team listens to are the team's business). Secrets are sealed at rest and shown once.
 */
export class WebhookService {
  constructor(
    private readonly db: DataSource,
    private readonly access: ProjectAccessService,
    private readonly sealer: SecretSealer | null,
    private readonly preflight: (url: string) => Promise<void>,
    private readonly rotationWindowMs: number,
  ) {}

  async create(caller: Caller, input: CreateWebhookInput): Promise<WebhookWithSecret> {
    const project = projectId('input.project', input.project);
    await this.access.authorizeProject(caller, project, Role.EDITOR, ACTION);
    const url = webhookUrl('input.url', input.url);
    const events = webhookEvents('input.events', input.events);
    const description = webhookDescription('input.description', input.description);
    const sealer = this.requireSealer();
    await this.preflight(url);
    const secret = newWebhookSecret();
    return this.db.transaction(async (tx) => {
      const [row] = (await tx.query(
        `INSERT INTO webhook_endpoints (project, url, description, events, secret_sealed, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${ENDPOINT_COLUMNS}`,
        [project, url, description, events, sealer.seal(secret), caller.subject],
      )) as EndpointRow[];
      await this.audit(tx, caller, 'webhook.created', row, { url, events, description });
      return { endpoint: endpointRecord(row), secret };
    });
  }

  async list(caller: Caller, project: string): Promise<WebhookEndpointRecord[]> {
    const id = projectId('project', project);
    await this.access.authorizeProject(caller, id, Role.EDITOR, ACTION);
    const rows = (await this.db.query(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE project = $1 ORDER BY created_at, id`, [id])) as EndpointRow[];
    return rows.map(endpointRecord);
  }

  async get(caller: Caller, id: string): Promise<WebhookEndpointRecord> {
    return endpointRecord(await this.readable(caller, id, this.db));
  }

  async update(caller: Caller, id: string, input: UpdateWebhookInput): Promise<WebhookEndpointRecord> {
    const url = input.url === undefined || input.url === null ? null : webhookUrl('input.url', input.url);
    const events = input.events === undefined || input.events === null ? null : webhookEvents('input.events', input.events);
    if (url) await this.preflight(url);
    return this.db.transaction(async (tx) => {
      const before = await this.readable(caller, id, tx, true);
      const description = input.description === undefined ? before.description : webhookDescription('input.description', input.description);
      const enabled = input.enabled ?? before.enabled;
      const reenabled = enabled && !before.enabled;
      const [row] = updatedRows<EndpointRow>(await tx.query(
        `UPDATE webhook_endpoints SET url = $2, events = $3, description = $4, enabled = $5,
           disabled_reason = CASE WHEN $5 THEN NULL WHEN enabled THEN 'disabled by ' || $6 ELSE disabled_reason END,
           disabled_at = CASE WHEN $5 THEN NULL WHEN enabled THEN now() ELSE disabled_at END,
           failing_since = CASE WHEN $7 THEN NULL ELSE failing_since END, updated_at = now()
         WHERE id = $1 RETURNING ${ENDPOINT_COLUMNS}`,
        [before.id, url ?? before.url, events ?? before.events, description, enabled, caller.subject, reenabled],
      ));
      await this.audit(tx, caller, 'webhook.updated', row, {
        changes: { url: url ?? undefined, events: events ?? undefined, description: input.description === undefined ? undefined : description, enabled: input.enabled ?? undefined },
      });
      return endpointRecord(row);
    });
  }

  async delete(caller: Caller, id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const row = await this.readable(caller, id, tx, true);
      // Deliveries and their attempts go with it; a delivery workflow still sleeping finds nothing and ends.
      await tx.query(`DELETE FROM webhook_endpoints WHERE id = $1`, [row.id]);
      await this.audit(tx, caller, 'webhook.deleted', row, { url: row.url });
      return true;
    });
  }

  /** A new secret; the old one keeps signing (a second signature) for the rotation window, so receivers can switch. */
  async rotateSecret(caller: Caller, id: string): Promise<WebhookWithSecret> {
    const sealer = this.requireSealer();
    const secret = newWebhookSecret();
    return this.db.transaction(async (tx) => {
      const before = await this.readable(caller, id, tx, true);
      const [row] = updatedRows<EndpointRow>(await tx.query(
        `UPDATE webhook_endpoints SET previous_secret_sealed = secret_sealed, previous_secret_until = now() + ($2::bigint * interval '1 millisecond'),
           secret_sealed = $3, updated_at = now() WHERE id = $1 RETURNING ${ENDPOINT_COLUMNS}`,
        [before.id, this.rotationWindowMs, sealer.seal(secret)],
      ));
      await this.audit(tx, caller, 'webhook.secret_rotated', row, { previousSecretUntil: row.previous_secret_until });
      return { endpoint: endpointRecord(row), secret };
    });
  }

  /** Sends a `webhook.ping` to this endpoint only; returns the event's id (the deliveries' `webhook-id`). */
  async ping(caller: Caller, id: string): Promise<string> {
    return this.db.transaction(async (tx) => {
      const row = await this.readable(caller, id, tx, true);
      if (!row.enabled) throw new ConflictError(`Webhook "${id}" is disabled; enable it before sending a ping`, { endpointId: id });
      return recordEvent(tx, { type: 'webhook.ping', project: row.project, data: { endpointId: row.id, actor: caller.subject } });
    });
  }

  /** The endpoint row, NOT_FOUND unless the caller is an editor of its project; `lock` takes it FOR UPDATE. */
  async readable(caller: Caller, id: string, db: DataSource | EntityManager, lock = false): Promise<EndpointRow> {
    const rows = (await db.query(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [uuid('id', id)])) as EndpointRow[];
    const row = rows[0];
    if (!row || !holdsRole(caller, row.project, Role.EDITOR)) throw new NotFoundError('Webhook', id);
    return row;
  }

  private requireSealer(): SecretSealer {
    if (!this.sealer) throw new ValidationError('input', 'webhooks need SECRETS_KEY to be configured on the server (their secrets are stored sealed)');
    return this.sealer;
  }

  private audit(tx: EntityManager, caller: Caller, action: 'webhook.created' | 'webhook.updated' | 'webhook.deleted' | 'webhook.secret_rotated', row: EndpointRow, details: Record<string, unknown>) {
    return recordAudit(tx, { action, actor: caller.subject, requestId: caller.requestId, project: row.project, subjectId: row.id, details });
  }
}
