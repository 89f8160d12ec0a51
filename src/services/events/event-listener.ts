import { Client } from 'pg';
import type { Logger } from 'pino';
import { decodeEvent, EVENTS_CHANNEL, type HubEvent } from './hub-events';

export interface EventListener {
  close(): Promise<void>;
}

/**
 * LISTENs on the events channel with a dedicated connection (pooled ones cannot hold a LISTEN) and
 * reconnects with backoff, so every API process sees every worker's progress. `onEvent` reads the rows the
 * events name; its failures are logged here, never thrown into the connection's handler.
 */
export async function listenForEvents(
  url: string,
  onEvent: (event: HubEvent) => void | Promise<void>,
  log: Logger,
  /**
   * Called once the connection is back after a drop, with when it dropped: NOTIFYs sent meanwhile are lost,
   * so whoever relays them re-reads the current state of what its subscribers watch.
   */
  onReconnect: (droppedAt: Date) => void | Promise<void> = () => undefined,
): Promise<EventListener> {
  let client: Client | null = null;
  let closed = false;
  let retryTimer: NodeJS.Timeout | null = null;
  let droppedAt: Date | null = null;

  const connect = async (attempt: number): Promise<void> => {
    const next = new Client({ connectionString: url, application_name: `modelhub-events:${process.pid}` });
    next.on('notification', (message) => {
      if (message.channel !== EVENTS_CHANNEL || !message.payload) return;
      let event: HubEvent;
      try {
        event = decodeEvent(message.payload);
      } catch (error) {
        log.warn({ err: error }, 'dropped an undecodable event');
        return;
      }
      Promise.resolve(onEvent(event)).catch((error: unknown) => log.warn({ err: error, event }, 'an event handler failed'));
    });
    next.on('error', (error) => {
      log.warn({ err: error }, 'event listener connection lost; reconnecting');
      scheduleReconnect(0);
    });
    await next.connect();
    await next.query(`LISTEN ${EVENTS_CHANNEL}`);
    client = next;
    if (attempt > 0) log.info({ attempt }, 'event listener reconnected');
    if (droppedAt) {
      const since = droppedAt;
      droppedAt = null;
      Promise.resolve(onReconnect(since)).catch((error: unknown) => log.warn({ err: error }, 'could not re-read state after reconnecting'));
    }
  };

  const scheduleReconnect = (attempt: number) => {
    if (closed || retryTimer) return;
    droppedAt ??= new Date();
    const old = client;
    client = null;
    void old?.end().catch(() => undefined);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect(attempt + 1).catch(() => scheduleReconnect(attempt + 1));
    }, Math.min(30_000, 250 * 2 ** attempt));
  };

  await connect(0);
  return {
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      await client?.end().catch(() => undefined);
    },
  };
}
