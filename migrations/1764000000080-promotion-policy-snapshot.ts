import type { MigrationInterface, QueryRunner } from 'typeorm';

const ACTOR = 'system:migration 1764000000080';

/**
 * A promotion request freezes the policy it is held to when it opens (its gates, approvals and the provenances
 * of evidence that count), so a project's later changes reach only requests opened afterwards.
 *
 * Existing requests get the policy they were opened under: the gates their evidence snapshot was checked
 * against, their required approvals, the project's allowSkippedScan, and MEASURED evidence only (what the
 * evidence gate counted until now). Open requests of a model that has moved to another project since are
 * withdrawn, audited as the service does from now on.
 */
export class PromotionPolicySnapshot1764000000080 implements MigrationInterface {
  name = 'PromotionPolicySnapshot1764000000080';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE promotion_requests ADD COLUMN policy jsonb`);
    await q.query(`
      UPDATE promotion_requests r SET policy = jsonb_build_object(
        'target', r.target,
        'gates', COALESCE((SELECT jsonb_agg(e.g->'gate' ORDER BY e.n) FROM jsonb_array_elements(r.evidence->'gates') WITH ORDINALITY AS e(g, n)), '[]'::jsonb),
        'requiredApprovals', r.required_approvals,
        'allowSkippedScan', COALESCE((SELECT (p.policy->>'allowSkippedScan')::boolean FROM projects p WHERE p.id = r.project), false),
        'evidenceProvenances', '["MEASURED"]'::jsonb)`);
    await q.query(`ALTER TABLE promotion_requests ALTER COLUMN policy SET NOT NULL`);
    await q.query(
      `WITH moved AS (
         UPDATE promotion_requests r
            SET state = 'WITHDRAWN', decided_by = $1, decided_at = now(),
                decision_reason = 'model moved from ' || r.project || ' to ' || COALESCE(m.project, 'default')
           FROM models m
          WHERE m.id = r.model_id AND r.state = 'OPEN' AND r.project <> COALESCE(m.project, 'default')
         RETURNING r.id, r.model_id, r.version_id, r.project, r.decision_reason)
       INSERT INTO audit_log (actor, action, project, model_id, version_id, subject_id, reason, details)
       SELECT $1, 'promotion.withdrawn', project, model_id, version_id, id::text, decision_reason, '{}'::jsonb FROM moved`,
      [ACTOR],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE promotion_requests DROP COLUMN policy`);
  }
}
