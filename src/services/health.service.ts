import type { DataSource } from 'typeorm';

export interface DependencyHealth {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

export interface Health {
  ok: boolean;
  checks: Record<string, DependencyHealth>;
}

/** Readiness of what the service needs; Temporal and clamd join here when they are wired in. */
export class HealthService {
  constructor(private readonly db: DataSource) {}

  async check(): Promise<Health> {
    const postgres = await timed(async () => {
      await this.db.query('SELECT 1');
    });
    return { ok: postgres.ok, checks: { postgres } };
  }
}

async function timed(probe: () => Promise<void>): Promise<DependencyHealth> {
  const started = performance.now();
  try {
    await probe();
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: (error as Error).message };
  }
}
