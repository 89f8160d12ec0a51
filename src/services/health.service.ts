import type { DataSource } from 'typeorm';
import type { WorkflowGateway } from './workflow-gateway';

export interface DependencyHealth {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

export interface Health {
  ok: boolean;
  checks: Record<string, DependencyHealth>;
}

/** Readiness of what the service needs (clamd joins when scanning lands). */
export class HealthService {
  constructor(
    private readonly db: DataSource,
    private readonly workflows: WorkflowGateway,
  ) {}

  async check(): Promise<Health> {
    const [postgres, temporal] = await Promise.all([
      timed(async () => {
        await this.db.query('SELECT 1');
      }),
      timed(async () => {
        if (!(await this.workflows.healthy())) throw new Error('Temporal frontend unreachable');
      }),
    ]);
    return { ok: postgres.ok && temporal.ok, checks: { postgres, temporal } };
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
