import type { StoreHealth } from '../domain/storage/store';
import { unavailability } from '../storage/unavailable-store';
import type { ResolvedStore } from './store-registry';

const PROBE_TIMEOUT_MS = 5000;
/** /health may be polled every few seconds by several balancers: a store is probed (one small write) at most this often. */
const FRESH_MS = 10_000;

const recent = new Map<string, { at: number; health: Promise<StoreHealth> }>();

/** Reachable (answers), writable (a probe object written and removed), free space where known; never names hosts or paths. */
export function storeHealth(resolved: ResolvedStore, options: { fresh?: boolean } = {}): Promise<StoreHealth> {
  if (options.fresh) return probe(resolved);
  const now = Date.now();
  const cached = recent.get(resolved.id);
  if (cached && now - cached.at < FRESH_MS) return cached.health;
  const health = probe(resolved);
  recent.set(resolved.id, { at: now, health });
  return health;
}

async function probe({ store }: ResolvedStore): Promise<StoreHealth> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = await Promise.race([
      store.probe(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error('probe timed out'), { name: 'TimeoutError' })), PROBE_TIMEOUT_MS);
      }),
    ]);
    return { reachable: true, writable: result.writable, freeBytes: result.freeBytes, latencyMs: elapsed(), error: result.writable ? null : 'the store refused a write', checkedAt: new Date() };
  } catch (error) {
    const why = unavailability(error) ?? ((error as { code?: unknown }).code === 'ENOENT' ? 'its folder does not exist' : 'it cannot be reached');
    return { reachable: false, writable: false, freeBytes: null, latencyMs: elapsed(), error: why, checkedAt: new Date() };
  } finally {
    clearTimeout(timer);
  }
}
