import type { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../../domain/auth/caller';
import { ConflictError, NotFoundError } from '../../domain/common/domain-error';
import { uuid } from '../../domain/common/field-rules';
import { decodeOpaqueCursor, encodeOpaqueCursor, NOT_OUR_CURSOR } from '../../domain/common/opaque-cursor';
import { ValidationError } from '../../domain/common/domain-error';
import type { WorkflowGateway } from '../workflow-gateway';
import type { WebhookService } from './webhook.service';
import { DELIVERY_COLUMNS, type DeliveryRow, deliveryRecord, updatedRows, type WebhookDeliveryRecord } from './webhook-records';

export interface DeliveryPage {
  edges: { cursor: string; node: WebhookDeliveryRecord }[];
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface DeliveryStart {
  deliveryId: string;
  redeliveries: number;
}

/** The business key of a delivery's workflow: one per delivery and manual redelivery, so a restart never runs twins. */
export function deliveryWorkflowId(start: DeliveryStart): string {
  return `webhook-delivery-${start.deliveryId}-${start.redeliveries}`;
}

/**
 * The delivery log (what each endpoint was sent, how it answered) and the fan-out from the outbox: every event
 * committed becomes one delivery per enabled endpoint of its project that subscribed to its type, and each
 * delivery runs as a Temporal workflow. Both steps are idempotent (unique delivery per endpoint and event,
 * business-key workflow ids), so the dispatcher may run on every worker and after any crash.
 */
export class WebhookDeliveryService {
  constructor(
    private readonly db: DataSource,
    private readonly endpoints: WebhookService,
    private readonly workflows: WorkflowGateway,
    private readonly attemptTimeoutMs: number,
  ) {}

  async deliveries(caller: Caller, endpointId: string, first: number, after: string | null | undefined): Promise<DeliveryPage> {
    const endpoint = await this.endpoints.readable(caller, endpointId, this.db);
    const before = after === null || after === undefined ? null : cursorSeq(after);
    const rows = (await this.db.query(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN event_outbox o ON o.id = d.event_id
       WHERE d.endpoint_id = $1 AND ($2::bigint IS NULL OR d.seq < $2::bigint) ORDER BY d.seq DESC LIMIT $3`,
      [endpoint.id, before, first + 1],
    )) as DeliveryRow[];
    const edges = rows.slice(0, first).map((row) => ({ cursor: encodeOpaqueCursor([row.seq]), node: deliveryRecord(row) }));
    return { edges, hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null };
  }

  /** Sends a delivery again from the log (same `webhook-id`, a fresh retry window); CONFLICT while it is still pending. */
  async redeliver(caller: Caller, deliveryId: string): Promise<WebhookDeliveryRecord> {
    const start = await this.db.transaction(async (tx) => {
      const found = (await tx.query(`SELECT endpoint_id, state FROM webhook_deliveries WHERE id = $1 FOR UPDATE`, [uuid('deliveryId', deliveryId)])) as { endpoint_id: string; state: string }[];
      if (!found[0]) throw new NotFoundError('WebhookDelivery', deliveryId);
      const endpoint = await this.endpoints.readable(caller, found[0].endpoint_id, tx).catch(() => {
        throw new NotFoundError('WebhookDelivery', deliveryId);
      });
      if (!endpoint.enabled) throw new ConflictError(`Webhook "${endpoint.id}" is disabled; enable it before redelivering`, { endpointId: endpoint.id });
      if (found[0].state === 'PENDING') throw new ConflictError(`Delivery "${deliveryId}" is still being delivered`, { state: 'PENDING' });
      const [row] = updatedRows<{ id: string; redeliveries: number }>(await tx.query(
        `UPDATE webhook_deliveries SET state = 'PENDING', redeliveries = redeliveries + 1, workflow_started = false, first_attempt_at = NULL,
           next_retry_at = NULL, finished_at = NULL WHERE id = $1 RETURNING id, redeliveries`,
        [deliveryId],
      ));
      return { deliveryId: row.id, redeliveries: row.redeliveries };
    });
    await this.start(start);
    return this.one(start.deliveryId);
  }

  /**
   * Fans committed events out to deliveries (a batch at a time, rows locked so two dispatchers split the work) and
   * starts the workflows of deliveries not yet started. Returns how many workflows it started.
   */
  async dispatch(batch = 100): Promise<number> {
    for (;;) {
      const fanned = await this.db.transaction((tx) => fanOut(tx, batch));
      if (fanned < batch) break;
    }
    let started = 0;
    for (;;) {
      const pending = (await this.db.query(
        `SELECT id AS "deliveryId", redeliveries FROM webhook_deliveries WHERE NOT workflow_started AND state = 'PENDING' ORDER BY seq LIMIT $1`,
        [batch],
      )) as DeliveryStart[];
      for (const start of pending) await this.start(start);
      started += pending.length;
      if (pending.length < batch) return started;
    }
  }

  private async start(start: DeliveryStart): Promise<void> {
    await this.workflows.startWebhookDelivery(deliveryWorkflowId(start), { deliveryId: start.deliveryId, timeoutMs: this.attemptTimeoutMs });
    await this.db.query(`UPDATE webhook_deliveries SET workflow_started = true WHERE id = $1 AND redeliveries = $2`, [start.deliveryId, start.redeliveries]);
  }

  private async one(id: string): Promise<WebhookDeliveryRecord> {
    const rows = (await this.db.query(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN event_outbox o ON o.id = d.event_id WHERE d.id = $1`, [id])) as DeliveryRow[];
    if (!rows[0]) throw new NotFoundError('WebhookDelivery', id);
    return deliveryRecord(rows[0]);
  }
}

/** One batch of undispatched events: a delivery per matching endpoint (a ping: its own endpoint only), then stamped. */
async function fanOut(tx: EntityManager, batch: number): Promise<number> {
  const events = (await tx.query(`SELECT id FROM event_outbox WHERE dispatched_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`, [batch])) as { id: string }[];
  if (events.length === 0) return 0;
  const ids = events.map((e) => e.id);
  await tx.query(
    `INSERT INTO webhook_deliveries (endpoint_id, event_id)
     SELECT e.id, o.id FROM event_outbox o JOIN webhook_endpoints e ON e.project = o.project AND e.enabled
     WHERE o.id = ANY($1::uuid[])
       AND (o.type = ANY(e.events) OR (o.type = 'webhook.ping' AND e.id::text = o.data->>'endpointId'))
     ORDER BY o.seq
     ON CONFLICT (endpoint_id, event_id) DO NOTHING`,
    [ids],
  );
  await tx.query(`UPDATE event_outbox SET dispatched_at = now() WHERE id = ANY($1::uuid[])`, [ids]);
  return events.length;
}

function cursorSeq(after: string): string {
  const [seq] = decodeOpaqueCursor(after);
  if (typeof seq !== 'string' || !/^\d{1,19}$/.test(seq)) throw new ValidationError('after', NOT_OUR_CURSOR);
  return seq;
}
