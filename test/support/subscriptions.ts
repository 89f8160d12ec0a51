import type { FormattedExecutionResult } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { Role } from '../../src/domain/auth/roles';
import type { TestApp } from './test-app';

type Result = FormattedExecutionResult<Record<string, any>, unknown>; // eslint-disable-line @typescript-eslint/no-explicit-any -- inspected field by field

export interface Subscription {
  readonly events: Result[];
  /** Resolves when the server completes the subscription (or it errors). */
  readonly done: Promise<Result[]>;
  /** Resolves once `predicate` holds for some received event. */
  until(predicate: (event: Result) => boolean, timeoutMs?: number): Promise<Result>;
  close(): void;
}

/** Opens a graphql-ws subscription against the test app, authenticated in the connection params. */
export async function subscribe(t: TestApp, query: string, variables: Record<string, unknown>, role: Role = Role.VIEWER): Promise<Subscription> {
  const client = createClient({
    url: t.app.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${await t.token(role)}` },
    retryAttempts: 0,
  });
  const events: Result[] = [];
  const waiters: { predicate: (e: Result) => boolean; resolve: (e: Result) => void }[] = [];
  const done = new Promise<Result[]>((resolve, reject) => {
    client.subscribe(
      { query, variables },
      {
        next: (value) => {
          events.push(value);
          for (const w of [...waiters]) if (w.predicate(value)) w.resolve(value);
        },
        error: reject,
        complete: () => resolve(events),
      },
    );
  }).finally(() => void client.dispose());
  return {
    events,
    done,
    until(predicate, timeoutMs = 60_000) {
      const found = events.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise<Result>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching event in ${timeoutMs} ms; got ${JSON.stringify(events.slice(-3))}`)), timeoutMs);
        waiters.push({ predicate, resolve: (e) => { clearTimeout(timer); resolve(e); } });
      });
    },
    close: () => void client.dispose(),
  };
}
