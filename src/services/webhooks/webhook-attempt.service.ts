import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import type { WebhooksConfig } from '../../config/webhooks-config';
import { maskedUrl, nextRetryDelayMs, responseExcerpt } from '../../domain/webhooks/webhook-rules';
import type { AddressPolicy } from '../../net/address-policy';
import type { SecretSealer } from '../../net/sealed-secret';
import { postWebhook, type WebhookPostResult } from '../../net/webhook-post';
import { signedHeaders } from '../../net/webhook-signing';
import { recordAudit } from '../audit.service';
import { recordEvent } from '../events/outbox';
import { type DeliveryState, updatedRows } from './webhook-records';

/** What the delivery workflow does next: stop, or wait `retryInMs` and attempt again. */
export type AttemptOutcome = { done: true; state: DeliveryState } | { done: false; retryInMs: number };

interface DeliveryJob {
  id: string;
  state: DeliveryState;
  event_id: string;
  type: string;
  data: Record<string, unknown>;
  occurred_at: Date;
  endpoint_id: string;
  project: string;
  url: string;
  enabled: boolean;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_live: boolean;
  first_attempt_at: Date;
}

export const WEBHOOK_ACTOR = 'system:webhook-delivery';

/**
 * One attempt of one delivery, for the delivery workflow. Compare-and-set on the delivery: it acts only while the
 * delivery is PENDING and its endpoint enabled, so a retried activity or a racing redelivery changes nothing
 * twice. The body is rebuilt from the outbox row, so every attempt sends the same bytes under the same
 * `webhook-id` (the event's id); only `webhook-timestamp` and the signatures are of this attempt.
 */
export class WebhookAttemptService {
  constructor(
    private readonly db: DataSource,
    private readonly sealer: SecretSealer | null,
    private readonly policy: AddressPolicy,
    private readonly config: WebhooksConfig,
    private readonly log: Pick<Logger, 'info' | 'warn'> = { info: () => undefined, warn: () => undefined },
  ) {}

  async attempt(deliveryId: string): Promise<AttemptOutcome> {
    const job = await this.claim(deliveryId);
    if ('done' in job) return job;
    const body = JSON.stringify({ type: job.type, timestamp: job.occurred_at.toISOString(), data: job.data });
    const secrets = [job.secret_sealed, ...(job.previous_live && job.previous_secret_sealed ? [job.previous_secret_sealed] : [])];
    let result: WebhookPostResult;
    if (!this.sealer) result = { status: null, latencyMs: 0, body: '', error: 'the worker has no SECRETS_KEY to open the signing secret' };
    else {
      const opened = secrets.map((sealed) => (this.sealer as SecretSealer).open(sealed));
      const headers = signedHeaders(opened, `evt_${job.event_id}`, Math.floor(Date.now() / 1000), body);
      result = await postWebhook(new URL(job.url), body, headers, { policy: this.policy, timeoutMs: this.config.timeoutMs });
    }
    this.log.info({ deliveryId, endpointId: job.endpoint_id, url: maskedUrl(job.url), status: result.status, latencyMs: result.latencyMs, error: result.error }, 'webhook attempt');
    return this.db.transaction((tx) => this.settle(tx, job, result));
  }

  /** The delivery with its endpoint and event, if it is still to be attempted; stamps its first attempt. */
  private async claim(deliveryId: string): Promise<DeliveryJob | { done: true; state: DeliveryState }> {
    return this.db.transaction(async (tx) => {
      const rows = (await tx.query(
        `SELECT d.id, d.state, o.id AS event_id, o.type, o.data, o.occurred_at, e.id AS endpoint_id, e.project, e.url, e.enabled, e.secret_sealed,
                e.previous_secret_sealed, COALESCE(e.previous_secret_until > now(), false) AS previous_live, COALESCE(d.first_attempt_at, now()) AS first_attempt_at
         FROM webhook_deliveries d JOIN event_outbox o ON o.id = d.event_id JOIN webhook_endpoints e ON e.id = d.endpoint_id
         WHERE d.id = $1 FOR UPDATE OF d`,
        [deliveryId],
      )) as DeliveryJob[];
      const job = rows[0];
      if (!job) return { done: true as const, state: 'CANCELLED' as const };
      if (job.state !== 'PENDING') return { done: true as const, state: job.state };
      if (!job.enabled) {
        await tx.query(`UPDATE webhook_deliveries SET state = 'CANCELLED', finished_at = now(), next_retry_at = NULL WHERE id = $1`, [job.id]);
        return { done: true as const, state: 'CANCELLED' as const };
      }
      await tx.query(`UPDATE webhook_deliveries SET first_attempt_at = $2 WHERE id = $1 AND first_attempt_at IS NULL`, [job.id, job.first_attempt_at]);
      return job;
    });
  }

  private async settle(tx: EntityManager, job: DeliveryJob, result: WebhookPostResult): Promise<AttemptOutcome> {
    const [live] = (await tx.query(`SELECT state, attempts FROM webhook_deliveries WHERE id = $1 FOR UPDATE`, [job.id])) as { state: DeliveryState; attempts: number }[];
    if (!live || live.state !== 'PENDING') return { done: true, state: live?.state ?? 'CANCELLED' };
    const attempts = live.attempts + 1;
    const ok = result.status !== null && result.status >= 200 && result.status < 300;
    const excerpt = responseExcerpt(result.body);
    let state: DeliveryState = 'PENDING';
    let retryInMs: number | null = null;
    if (ok) {
      state = 'SUCCEEDED';
      await tx.query(`UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1`, [job.endpoint_id]);
    } else if (result.status === 410) {
      state = 'FAILED';
      await this.disable(tx, job, 'gone', 'the endpoint answered 410 Gone');
    } else {
      const [endpoint] = updatedRows<{ expired: boolean }>(await tx.query(
        `UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, now()) WHERE id = $1
         RETURNING (now() - failing_since) >= ($2::bigint * interval '1 millisecond') AS expired`,
        [job.endpoint_id, this.config.disableAfterMs],
      ));
      if (endpoint?.expired) {
        state = 'FAILED';
        await this.disable(tx, job, 'failing', `the endpoint failed every delivery for ${Math.round(this.config.disableAfterMs / 1000)} s`);
      } else {
        retryInMs = nextRetryDelayMs(attempts, this.config, Date.now() - job.first_attempt_at.getTime(), Math.random());
        if (retryInMs === null) state = 'FAILED';
      }
    }
    const nextRetryAt = retryInMs === null ? null : new Date(Date.now() + retryInMs);
    await tx.query(
      `UPDATE webhook_deliveries SET state = $2, attempts = $3, last_status = $4, last_latency_ms = $5, last_excerpt = $6, last_error = $7,
         next_retry_at = $8, finished_at = CASE WHEN $2 = 'PENDING' THEN NULL ELSE now() END WHERE id = $1`,
      [job.id, state, attempts, result.status, result.latencyMs, excerpt, result.error, nextRetryAt],
    );
    await tx.query(
      `INSERT INTO webhook_attempts (delivery_id, attempt, status, latency_ms, excerpt, error, next_retry_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [job.id, attempts, result.status, result.latencyMs, excerpt, result.error, nextRetryAt],
    );
    return retryInMs === null ? { done: true, state } : { done: false, retryInMs };
  }

  /** Disables the endpoint (once), tells the project (`webhook.disabled` to its other endpoints) and audits it. */
  private async disable(tx: EntityManager, job: DeliveryJob, reason: 'gone' | 'failing', why: string): Promise<void> {
    const changed = updatedRows<{ id: string }>(await tx.query(
      `UPDATE webhook_endpoints SET enabled = false, disabled_reason = $2, disabled_at = now(), updated_at = now() WHERE id = $1 AND enabled RETURNING id`,
      [job.endpoint_id, why],
    ));
    if (changed.length === 0) return;
    // Its other pending deliveries stop at their next attempt (the claim sees the endpoint disabled).
    this.log.warn({ endpointId: job.endpoint_id, url: maskedUrl(job.url), reason }, 'webhook endpoint disabled');
    await recordEvent(tx, { type: 'webhook.disabled', project: job.project, data: { endpointId: job.endpoint_id, url: job.url, reason } });
    await recordAudit(tx, { action: 'webhook.disabled', actor: WEBHOOK_ACTOR, project: job.project, subjectId: job.endpoint_id, reason: why, details: { reason, url: maskedUrl(job.url) } });
  }
}
