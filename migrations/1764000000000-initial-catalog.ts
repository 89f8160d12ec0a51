import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialCatalog1764000000000 implements MigrationInterface {
  name = 'InitialCatalog1764000000000';

  async up(q: QueryRunner): Promise<void> {
    // pg_trgm makes the free-text filter (ILIKE '%term%') index-backed instead of a sequential scan.
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(`
      CREATE TABLE licenses (
        id text PRIMARY KEY,
        name text NOT NULL,
        url text,
        category text NOT NULL,
        is_spdx boolean NOT NULL,
        osi_approved boolean NOT NULL,
        commercial_use boolean NOT NULL,
        derivatives boolean NOT NULL,
        attribution_required boolean NOT NULL,
        monthly_active_users_limit bigint CHECK (monthly_active_users_limit >= 0),
        notes text
      )`);
    await q.query(`
      CREATE TABLE models (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CONSTRAINT models_name_key UNIQUE,
        display_name text,
        description text,
        source_type text NOT NULL,
        source_uri text,
        architecture text,
        parameter_count bigint CHECK (parameter_count >= 0),
        context_length integer CHECK (context_length > 0),
        input_modalities text[] NOT NULL DEFAULT '{}',
        output_modalities text[] NOT NULL DEFAULT '{}',
        endpoints text[] NOT NULL DEFAULT '{}',
        license_id text REFERENCES licenses(id) ON UPDATE CASCADE,
        license_restrictions jsonb,
        requirements jsonb,
        tags text[] NOT NULL DEFAULT '{}',
        tasks text[] NOT NULL DEFAULT '{}',
        owner text,
        project text,
        links jsonb NOT NULL DEFAULT '{}',
        status text NOT NULL,
        default_version_id uuid,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        search_text text GENERATED ALWAYS AS (
          lower(name || ' ' || coalesce(display_name, '') || ' ' || coalesce(description, ''))
        ) STORED
      )`);
    await q.query(`CREATE INDEX models_search_trgm ON models USING gin (search_text gin_trgm_ops)`);
    await q.query(`CREATE INDEX models_tags_gin ON models USING gin (tags)`);
    await q.query(`CREATE INDEX models_created_at_id ON models (created_at, id)`);
    await q.query(`CREATE INDEX models_updated_at_id ON models (updated_at, id)`);
    await q.query(`CREATE INDEX models_parameter_count_id ON models (parameter_count, id)`);
    await q.query(`CREATE INDEX models_status ON models (status)`);
    await q.query(`CREATE INDEX models_architecture ON models (lower(architecture))`);
    await q.query(`CREATE INDEX models_license ON models (license_id)`);

    await q.query(`
      CREATE TABLE model_versions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        model_id uuid NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        version text NOT NULL,
        major integer NOT NULL,
        minor integer NOT NULL,
        patch integer NOT NULL,
        prerelease text,
        storage_path text,
        changelog text,
        parent_version_id uuid REFERENCES model_versions(id) ON DELETE SET NULL,
        status text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT model_versions_model_version_key UNIQUE (model_id, version)
      )`);
    await q.query(`CREATE INDEX model_versions_model ON model_versions (model_id, major DESC, minor DESC, patch DESC)`);
    await q.query(`
      ALTER TABLE models ADD CONSTRAINT models_default_version_fk
        FOREIGN KEY (default_version_id) REFERENCES model_versions(id) ON DELETE SET NULL`);

    await q.query(`
      CREATE TABLE lifecycle_transitions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        model_id uuid NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        from_status text,
        to_status text NOT NULL,
        reason text,
        actor text NOT NULL,
        occurred_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX lifecycle_transitions_model ON lifecycle_transitions (model_id, occurred_at)`);

    await q.query(`
      CREATE TABLE scan_results (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        model_id uuid NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        version_id uuid NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
        scanner text NOT NULL,
        scanner_version text,
        status text NOT NULL,
        findings jsonb NOT NULL DEFAULT '[]',
        files_scanned integer NOT NULL CHECK (files_scanned >= 0),
        bytes_scanned bigint NOT NULL CHECK (bytes_scanned >= 0),
        started_at timestamptz NOT NULL,
        completed_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX scan_results_model_completed ON scan_results (model_id, completed_at DESC)`);
    await q.query(`CREATE INDEX scan_results_version ON scan_results (version_id)`);

    await q.query(`
      CREATE TABLE benchmarks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        model_id uuid NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        version_id uuid NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
        hardware_profile text NOT NULL,
        ttft_p50_ms double precision CHECK (ttft_p50_ms >= 0),
        ttft_p99_ms double precision CHECK (ttft_p99_ms >= 0),
        latency_p50_ms double precision CHECK (latency_p50_ms >= 0),
        latency_p99_ms double precision CHECK (latency_p99_ms >= 0),
        throughput_tokens_per_second double precision CHECK (throughput_tokens_per_second >= 0),
        configuration jsonb NOT NULL DEFAULT '{}',
        recorded_by text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX benchmarks_model ON benchmarks (model_id, recorded_at DESC)`);
    await q.query(`CREATE INDEX benchmarks_version ON benchmarks (version_id)`);

    await q.query(`
      CREATE TABLE evaluations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        model_id uuid NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        version_id uuid NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
        benchmark text NOT NULL,
        score double precision NOT NULL,
        num_shots integer CHECK (num_shots >= 0),
        details jsonb NOT NULL DEFAULT '{}',
        recorded_by text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX evaluations_model ON evaluations (model_id, benchmark)`);
    await q.query(`CREATE INDEX evaluations_benchmark_score ON evaluations (benchmark, score DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE evaluations`);
    await q.query(`DROP TABLE benchmarks`);
    await q.query(`DROP TABLE scan_results`);
    await q.query(`DROP TABLE lifecycle_transitions`);
    await q.query(`ALTER TABLE models DROP CONSTRAINT models_default_version_fk`);
    await q.query(`DROP TABLE model_versions`);
    await q.query(`DROP TABLE models`);
    await q.query(`DROP TABLE licenses`);
  }
}
