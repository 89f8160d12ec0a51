import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signed versions (OpenSSF model signing): what an upstream `model.sig` proved when the version's files were
 * verified (UPSTREAM), and the registry's own signature written at publish (REGISTRY, whose bytes are then served as
 * the version's `model.sig`). A signature's blob stays referenced here, so the collector keeps it. Projects keep the
 * public keys and CA certificates they trust; the key given at an import stays on its version for retries.
 */
export class SignedVersions1764000000240 implements MigrationInterface {
  name = 'SignedVersions1764000000240';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE version_signatures (
        version_id uuid NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
        origin text NOT NULL CHECK (origin IN ('UPSTREAM', 'REGISTRY')),
        valid boolean NOT NULL,
        method text CHECK (method IN ('KEY', 'CERTIFICATE')),
        key_fingerprint text,
        certificate_subject text,
        certificate_san text,
        covered_files jsonb NOT NULL DEFAULT '[]',
        problems jsonb NOT NULL DEFAULT '[]',
        sha256 text NOT NULL,
        size bigint NOT NULL,
        verified_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (version_id, origin)
      )`);
    await q.query(`CREATE INDEX version_signatures_sha256 ON version_signatures (sha256)`);
    await q.query(`ALTER TABLE model_versions ADD COLUMN signing_public_key text`);
    await q.query(`ALTER TABLE projects ADD COLUMN trusted_signing_keys jsonb NOT NULL DEFAULT '[]'`);
    await q.query(`ALTER TABLE projects ADD COLUMN trusted_signing_certificates jsonb NOT NULL DEFAULT '[]'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE projects DROP COLUMN trusted_signing_certificates`);
    await q.query(`ALTER TABLE projects DROP COLUMN trusted_signing_keys`);
    await q.query(`ALTER TABLE model_versions DROP COLUMN signing_public_key`);
    await q.query(`DROP TABLE version_signatures`);
  }
}
