import { Client } from 'pg';
import type { Logger } from 'pino';
import { OUTBOX_CHANNEL } from '../events/outbox';
import type { WebhookDeliveryService } from './webhook-delivery.service';

export interface RunningDispatcher {
  stop(): Promise<void>;
}

/**
 * Runs the outbox fan-out on every worker: at once when an event commits (LISTEN on the outbox channel) and on a
 * sweep every `everyMs`, which also covers a NOTIFY lost while the listening connection was down, a dispatcher
 * that crashed between committing deliveries and starting their workflows, and the events of a stopped cluster.
 */
export function startWebhookDispatcher(deliveries: WebhookDeliveryService, databaseUrl: string, everyMs: number, log: Logger): RunningDispatcher {
  let busy = false;
  let again = false;
  let stopped = false;
  let client: Client | null = null;
  const run = async (): Promise<void> => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      do {
        again = false;
        const started = await deliveries.dispatch();
        if (started > 0) log.info({ started }, 'webhook deliveries started');
      } while (again && !stopped);
    } catch (error) {
      log.warn({ err: error }, 'webhook dispatch failed; retrying on the next sweep');
    } finally {
      busy = false;
    }
  };
  const listen = async () => {
    if (client || stopped) return;
    const next = new Client({ connectionString: databaseUrl, application_name: `modelhub-webhooks:${process.pid}` });
    next.on('notification', () => void run());
    next.on('error', (error) => {
      log.warn({ err: error }, 'webhook dispatcher lost its LISTEN connection; the sweep reconnects it');
      if (client === next) client = null;
      void next.end().catch(() => undefined);
    });
    client = next;
    try {
      await next.connect();
      await next.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch (error) {
      log.warn({ err: error }, 'webhook dispatcher could not LISTEN; sweeping only until it can');
      client = null;
      void next.end().catch(() => undefined);
    }
  };
  const timer = setInterval(() => {
    void listen();
    void run();
  }, everyMs);
  timer.unref();
  void listen().then(run);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await client?.end().catch(() => undefined);
      client = null;
      while (busy) await new Promise((resolve) => setTimeout(resolve, 20));
    },
  };
}
