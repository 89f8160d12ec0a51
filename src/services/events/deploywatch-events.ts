import type { EntityManager } from 'typeorm';

/** Placeholder until the outbox lands (recordEvent in ./outbox.ts); written in the caller's transaction. */
export async function recordEvent(_manager: EntityManager, _event: { type: string; project: string; data: Record<string, unknown> }): Promise<void> {}
