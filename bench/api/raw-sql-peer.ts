import type { Pool } from 'pg';
import { PAGE_TAG } from './catalog-seed';

export interface PageRow {
  id: string;
  name: string;
  license: { id: string; name: string } | null;
  versions: { id: string; version: string; status: string; createdAt: Date }[];
  latestScan: { status: string; completedAt: Date | null } | null;
  benchmarks: { hardwareProfile: string; throughputTokensPerSecond: number | null }[];
}

function groupBy<T extends { model_id: string }>(rows: T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const list = out.get(row.model_id);
    if (list) list.push(row);
    else out.set(row.model_id, [row]);
  }
  return out;
}

/**
 * The rows of `models(first: 50, filter: { tags: [PAGE_TAG] }) { versions license latestScan benchmarks }` by
 * the smallest hand-written queries: the page, then one query per relation (run side by side on the pool).
 */
export async function rawSqlPage(pool: Pool, first: number): Promise<PageRow[]> {
  const page = await pool.query<{ id: string; name: string; license_id: string | null }>(
    `SELECT id, name, license_id FROM models WHERE tags @> ARRAY[$1] ORDER BY created_at DESC, id DESC LIMIT $2`,
    [PAGE_TAG, first],
  );
  const ids = page.rows.map((r) => r.id);
  const licenseIds = [...new Set(page.rows.flatMap((r) => (r.license_id ? [r.license_id] : [])))];
  const [versions, licenses, scans, benchmarks] = await Promise.all([
    pool.query<{ model_id: string; id: string; version: string; status: string; created_at: Date }>(
      `SELECT model_id, id, version, status, created_at FROM model_versions WHERE model_id = ANY($1)
       ORDER BY model_id, major DESC, minor DESC, patch DESC`,
      [ids],
    ),
    pool.query<{ id: string; name: string }>(`SELECT id, name FROM licenses WHERE id = ANY($1)`, [licenseIds]),
    pool.query<{ model_id: string; status: string; completed_at: Date | null }>(
      `SELECT DISTINCT ON (model_id) model_id, status, completed_at FROM scan_results WHERE model_id = ANY($1)
       ORDER BY model_id, started_at DESC, id DESC`,
      [ids],
    ),
    pool.query<{ model_id: string; hardware_profile: string; throughput_tokens_per_second: number | null }>(
      `SELECT model_id, hardware_profile, throughput_tokens_per_second FROM benchmarks WHERE model_id = ANY($1)
       ORDER BY model_id, recorded_at DESC, id DESC`,
      [ids],
    ),
  ]);
  const versionsOf = groupBy(versions.rows);
  const scanOf = new Map(scans.rows.map((s) => [s.model_id, s]));
  const benchmarksOf = groupBy(benchmarks.rows);
  const licenseOf = new Map(licenses.rows.map((l) => [l.id, l]));
  return page.rows.map((m) => {
    const scan = scanOf.get(m.id);
    return {
      id: m.id,
      name: m.name,
      license: m.license_id ? (licenseOf.get(m.license_id) ?? null) : null,
      versions: (versionsOf.get(m.id) ?? []).map((v) => ({ id: v.id, version: v.version, status: v.status, createdAt: v.created_at })),
      latestScan: scan ? { status: scan.status, completedAt: scan.completed_at } : null,
      benchmarks: (benchmarksOf.get(m.id) ?? []).map((b) => ({ hardwareProfile: b.hardware_profile, throughputTokensPerSecond: b.throughput_tokens_per_second })),
    };
  });
}
