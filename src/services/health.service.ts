import type { DataSource } from 'typeorm';
import { storeHealth } from './store-health';
import type { StoreRegistry } from './store-registry';
import type { WorkflowGateway } from './workflow-gateway';

export interface DependencyHealth {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

export interface Health {
  ok: boolean;
  checks: Record<string, DependencyHealth>;
  /**
   * Every artifact store by id (ids, never names, hosts or paths: /health is public): reachable, writable, free
   * space where known. Only the default store counts towards `ok`; a project's own store being away makes that
   * project's downloads 503, not the service unready.
   */
  stores: Record<string, { ok: boolean; reachable: boolean; writable: boolean; freeBytes: string | null; latencyMs: number; error: string | null }>;
}

/** Readiness of what the service needs (clamd joins when scanning lands). */
export class HealthService {
  constructor(
    private readonly db: DataSource,
    private readonly workflows: WorkflowGateway,
    private readonly stores: StoreRegistry,
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
    const stores = await this.storeChecks();
    const defaultOk = stores[this.stores.defaultStore.id]?.ok ?? false;
    return { ok: postgres.ok && temporal.ok && defaultOk, checks: { postgres, temporal }, stores };
  }

  private async storeChecks(): Promise<Health['stores']> {
    // Without the database only the default store (configured by the environment) is known.
    const all = await this.stores.all().catch(() => [this.stores.defaultStore]);
    const checked = await Promise.all(all.map(async (resolved) => [resolved.id, await storeHealth(resolved)] as const));
    return Object.fromEntries(
      checked.map(([id, h]) => [id, { ok: h.reachable && h.writable, reachable: h.reachable, writable: h.writable, freeBytes: h.freeBytes === null ? null : String(h.freeBytes), latencyMs: h.latencyMs, error: h.error }]),
    );
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
