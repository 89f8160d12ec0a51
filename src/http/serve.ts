import type { Logger } from 'pino';
import { createEventBus, createEventFanOut } from '../graphql/pubsub';
import { buildSubgraph } from '../graphql/schema';
import type { Runtime } from '../runtime';
import { listenForEvents } from '../services/events/event-listener';
import { type RunningApp, startApp } from './app';

/** The subgraph over a runtime: schema, the LISTEN connection feeding subscriptions, HTTP + WebSocket. */
export async function serveSubgraph(runtime: Runtime, log: Logger, port?: number): Promise<RunningApp> {
  const events = createEventBus();
  const fanOut = createEventFanOut(events, runtime.services, log);
  const listener = await listenForEvents(runtime.database.url, fanOut, log, fanOut.resync);
  const app = await startApp(
    { config: runtime.config, services: runtime.services, subgraph: await buildSubgraph(events), events, log },
    port,
  );
  return {
    url: app.url,
    port: app.port,
    subscriptions: app.subscriptions,
    async stop() {
      await app.stop();
      await listener.close();
    },
  };
}
