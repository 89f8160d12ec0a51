import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Governance: projects (visibility and the promotion policy as data), promotion requests with their evidence
 * snapshots and approvals, license acknowledgments by content hash, license flags the catalog lacked, and the
 * append-only audit log.
 */
export class Governance1764000000020 implements MigrationInterface {
  name = 'Governance1764000000020';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE projects (
        id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
        public boolean NOT NULL DEFAULT false,
        policy jsonb NOT NULL DEFAULT '{}'::jsonb,
        updated_by text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Models without a project belong to "default"; the expression index serves the isolation filter.
    await q.query(`CREATE INDEX models_project ON models ((COALESCE(project, 'default')))`);

    await q.query(`ALTER TABLE licenses ADD COLUMN api_only boolean NOT NULL DEFAULT false, ADD COLUMN research_only boolean NOT NULL DEFAULT false`);
    await q.query(`UPDATE licenses SET api_only = true WHERE id = 'OpenAI-TOS'`);
    await q.query(`UPDATE licenses SET research_only = true WHERE id = 'Mistral-Research'`);

    await q.query(`
      CREATE TABLE promotion_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        model_id uuid NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        version_id uuid NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
        project text NOT NULL,
        target text NOT NULL CHECK (target IN ('EVALUATED', 'PUBLISHED')),
        state text NOT NULL CHECK (state IN ('OPEN', 'APPROVED', 'REJECTED', 'WITHDRAWN')),
        requested_by text NOT NULL,
        justification text NOT NULL,
        usage jsonb,
        required_approvals integer NOT NULL CHECK (required_approvals >= 0),
        evidence jsonb NOT NULL,
        decision_evidence jsonb,
        decided_by text,
        decision_reason text,
        decided_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One open request per version: a second one would race the first to the same move.
    await q.query(`CREATE UNIQUE INDEX promotion_requests_one_open ON promotion_requests (version_id) WHERE state = 'OPEN'`);
    await q.query(`CREATE INDEX promotion_requests_queue ON promotion_requests (state, created_at, id)`);
    await q.query(`CREATE INDEX promotion_requests_model ON promotion_requests (model_id, created_at)`);
    await q.query(`
      CREATE TABLE promotion_approvals (
        request_id uuid NOT NULL REFERENCES promotion_requests(id) ON DELETE CASCADE,
        approver text NOT NULL,
        comment text,
        approved_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (request_id, approver)
      )`);

    await q.query(`
      CREATE TABLE license_acknowledgments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        model_id uuid NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        version_id uuid NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
        license_id text NOT NULL,
        text_hash text NOT NULL CHECK (text_hash ~ '^[0-9a-f]{64}$'),
        usage jsonb NOT NULL,
        usage_hash text NOT NULL CHECK (usage_hash ~ '^[0-9a-f]{64}$'),
        acknowledged_by text NOT NULL,
        acknowledged_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (version_id, text_hash, usage_hash, acknowledged_by)
      )`);

    // No foreign keys: the trail of a deleted model must outlive it.
    await q.query(`
      CREATE TABLE audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        actor text NOT NULL,
        action text NOT NULL,
        project text,
        model_id uuid,
        version_id uuid,
        subject_id text,
        reason text,
        request_id text,
        details jsonb NOT NULL DEFAULT '{}'::jsonb
      )`);
    await q.query(`CREATE INDEX audit_log_model ON audit_log (model_id, id)`);
    await q.query(`CREATE INDEX audit_log_actor ON audit_log (actor, id)`);
    await q.query(`CREATE INDEX audit_log_action ON audit_log (action, id)`);
    await q.query(`CREATE INDEX audit_log_time ON audit_log (occurred_at, id)`);
    await q.query(`
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);
    await q.query(`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`);
    // Roles other than the owner get no way to rewrite history even if someone grants table-wide rights later.
    await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP FUNCTION audit_log_append_only()`);
    await q.query(`DROP TABLE license_acknowledgments`);
    await q.query(`DROP TABLE promotion_approvals`);
    await q.query(`DROP TABLE promotion_requests`);
    await q.query(`ALTER TABLE licenses DROP COLUMN research_only, DROP COLUMN api_only`);
    await q.query(`DROP INDEX models_project`);
    await q.query(`DROP TABLE projects`);
  }
}
