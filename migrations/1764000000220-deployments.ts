import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Deployments on record: a version running in an environment at an endpoint, since when and by whom, until it is
 * ended. At most one active record per version, environment and endpoint (recording it again answers the same one).
 * `model_id` is the version's (a version never changes model), so a model's deployments need no join.
 */
export class Deployments1764000000220 implements MigrationInterface {
  name = 'Deployments1764000000220';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE deployments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        model_id uuid NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        version_id uuid NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
        environment text NOT NULL,
        endpoint text NOT NULL,
        description text,
        deployed_by text NOT NULL,
        deployed_at timestamptz NOT NULL DEFAULT now(),
        ended_by text,
        ended_at timestamptz,
        end_reason text,
        CHECK ((ended_at IS NULL) = (ended_by IS NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX deployments_one_active ON deployments (version_id, environment, endpoint) WHERE ended_at IS NULL`);
    await q.query(`CREATE INDEX deployments_model_active ON deployments (model_id) WHERE ended_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE deployments`);
  }
}
