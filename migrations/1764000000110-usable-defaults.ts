import type { MigrationInterface, QueryRunner } from 'typeorm';

const USABLE = `('VERIFIED', 'EVALUATED', 'PUBLISHED')`;
const ACTOR = 'system:migration 1764000000110';

/**
 * Two invariants the code now keeps on every write, applied to the rows written before it:
 *
 * - Projects are stored as they are checked: trimmed and lowercased (`projectId`). A model registered as "Beta"
 *   was unreachable by the editors of "beta" and outside its policy. `project` is not unique, so lowercasing
 *   cannot clash. The audit log is append-only and keeps the project each entry was written with.
 * - The default version is usable (VERIFIED, EVALUATED or PUBLISHED). A model whose default is a version that was
 *   never usable (DRAFT, INGESTING, ARCHIVED, or NEEDS_ATTENTION without ever having been VERIFIED) gets its
 *   newest usable version instead, or none; the old default is kept as the pending wish (it becomes the default
 *   when verified), and the change is an alias move and a `default.changed` audit entry like any other. A default
 *   that was VERIFIED once and is now NEEDS_ATTENTION (a failed rescan) stays: it answers 451, as designed.
 */
export class UsableDefaults1764000000110 implements MigrationInterface {
  name = 'UsableDefaults1764000000110';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE models ADD COLUMN pending_default_version_id uuid REFERENCES model_versions(id) ON DELETE SET NULL`);
    await q.query(`UPDATE models SET project = lower(btrim(project)) WHERE project IS NOT NULL AND project <> lower(btrim(project))`);
    await q.query(`UPDATE promotion_requests SET project = lower(btrim(project)) WHERE project <> lower(btrim(project))`);
    await q.query(`
      CREATE TEMPORARY TABLE stale_defaults AS
      SELECT m.id AS model_id, m.default_version_id AS from_id, v.status <> 'ARCHIVED' AS wish,
        (SELECT u.id FROM model_versions u WHERE u.model_id = m.id AND u.status IN ${USABLE}
          ORDER BY u.major DESC, u.minor DESC, u.patch DESC, (u.prerelease IS NULL) DESC, u.prerelease DESC, u.created_at DESC LIMIT 1) AS to_id
      FROM models m JOIN model_versions v ON v.id = m.default_version_id
      WHERE v.status IN ('DRAFT', 'INGESTING', 'ARCHIVED')
         OR (v.status = 'NEEDS_ATTENTION' AND NOT EXISTS (
              SELECT 1 FROM lifecycle_transitions t WHERE t.version_id = v.id AND t.to_status = 'VERIFIED'))`);
    await q.query(`
      UPDATE models m SET default_version_id = s.to_id, pending_default_version_id = CASE WHEN s.wish THEN s.from_id END
      FROM stale_defaults s WHERE m.id = s.model_id`);
    await q.query(
      `INSERT INTO alias_moves (model_id, alias, from_version_id, to_version_id, actor, reason)
       SELECT model_id, 'default', from_id, to_id, $1, 'the default was not a usable version' FROM stale_defaults`,
      [ACTOR],
    );
    await q.query(
      `INSERT INTO audit_log (actor, action, project, model_id, version_id, subject_id, reason, details)
       SELECT $1, 'default.changed', COALESCE(m.project, 'default'), s.model_id, s.to_id, 'default', 'the default was not a usable version',
              jsonb_build_object('alias', 'default', 'from', s.from_id, 'to', s.to_id)
       FROM stale_defaults s JOIN models m ON m.id = s.model_id`,
      [ACTOR],
    );
    await q.query(`DROP TABLE stale_defaults`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Lowercased projects and repointed defaults stay: both were what every check already assumed.
    await q.query(`ALTER TABLE models DROP COLUMN pending_default_version_id`);
  }
}
