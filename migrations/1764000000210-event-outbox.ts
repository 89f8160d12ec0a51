import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox of events going out (webhooks): a row is written in the same transaction as the change it reports,
 * so an event exists exactly when its change committed. A dispatcher fans each row out to the endpoints that want
 * it and stamps `dispatched_at`; the partial index keeps finding the undispatched ones cheap however long the
 * table grows. `seq` orders events by commit-ish order for the dispatcher (ids are random UUIDs).
 */
export class EventOutbox1764000000210 implements MigrationInterface {
  name = 'EventOutbox1764000000210';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE event_outbox (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        type text NOT NULL,
        project text NOT NULL,
        data jsonb NOT NULL,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        dispatched_at timestamptz
      )`);
    await q.query(`CREATE INDEX event_outbox_undispatched ON event_outbox (seq) WHERE dispatched_at IS NULL`);
    await q.query(`CREATE INDEX event_outbox_project ON event_outbox (project, seq)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE event_outbox`);
  }
}
