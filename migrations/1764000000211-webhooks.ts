import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook endpoints (per project) and the log of their deliveries. Secrets are stored sealed (AES-GCM under
 * SECRETS_KEY); during a rotation the previous secret is kept until `previous_secret_until`, and both sign.
 * A delivery is one event to one endpoint (unique: the dispatcher may run twice); its id is stable, so every
 * attempt carries the same `webhook-id`. `attempts` lists each try for the log; `redeliveries` counts manual
 * redeliveries, which name the next workflow run.
 */
export class Webhooks1764000000211 implements MigrationInterface {
  name = 'Webhooks1764000000211';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_endpoints (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project text NOT NULL,
        url text NOT NULL,
        description text,
        events text[] NOT NULL,
        secret_sealed text NOT NULL,
        previous_secret_sealed text,
        previous_secret_until timestamptz,
        enabled boolean NOT NULL DEFAULT true,
        disabled_reason text,
        disabled_at timestamptz,
        failing_since timestamptz,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX webhook_endpoints_project ON webhook_endpoints (project, created_at)`);
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        endpoint_id uuid NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
        event_id uuid NOT NULL REFERENCES event_outbox(id),
        state text NOT NULL DEFAULT 'PENDING' CHECK (state IN ('PENDING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
        attempts integer NOT NULL DEFAULT 0,
        redeliveries integer NOT NULL DEFAULT 0,
        workflow_started boolean NOT NULL DEFAULT false,
        first_attempt_at timestamptz,
        next_retry_at timestamptz,
        last_status integer,
        last_latency_ms integer,
        last_excerpt text,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        UNIQUE (endpoint_id, event_id)
      )`);
    await q.query(`CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, seq DESC)`);
    await q.query(`CREATE INDEX webhook_deliveries_unstarted ON webhook_deliveries (seq) WHERE NOT workflow_started`);
    await q.query(`
      CREATE TABLE webhook_attempts (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        delivery_id uuid NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
        attempt integer NOT NULL,
        attempted_at timestamptz NOT NULL DEFAULT now(),
        status integer,
        latency_ms integer NOT NULL,
        excerpt text,
        error text,
        next_retry_at timestamptz
      )`);
    await q.query(`CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_attempts`);
    await q.query(`DROP TABLE webhook_deliveries`);
    await q.query(`DROP TABLE webhook_endpoints`);
  }
}
