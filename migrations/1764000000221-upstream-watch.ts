import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the upstream watch last saw of a Hugging Face model's repository (one row per model, written by the
 * reported-scores refresh): the tracked ref, the validator of the last answer (ETag) for a conditional request,
 * the commit, the card's licence (and since when it differs from the card the model was imported with: from then on
 * licence checks weigh it too), whether it is gated, and whether it is there at all. `proposed_version_id` is the
 * DRAFT (or import) made for the latest new commit, so a commit is proposed once; `card_sha` the commit whose model
 * card the reported scores were last read from (a card that could not be read is tried again next time).
 */
export class UpstreamWatch1764000000221 implements MigrationInterface {
  name = 'UpstreamWatch1764000000221';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE upstream_watches (
        model_id uuid PRIMARY KEY REFERENCES models(id) ON DELETE CASCADE,
        repo_id text NOT NULL,
        revision text NOT NULL,
        etag text,
        sha text,
        card_sha text,
        license text,
        license_changed_at timestamptz,
        gated text,
        state text NOT NULL DEFAULT 'AVAILABLE' CHECK (state IN ('AVAILABLE', 'GATED', 'GONE')),
        proposed_version_id uuid REFERENCES model_versions(id) ON DELETE SET NULL,
        checked_at timestamptz NOT NULL DEFAULT now(),
        changed_at timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE upstream_watches`);
  }
}
