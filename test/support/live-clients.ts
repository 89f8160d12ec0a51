import type { FormattedExecutionResult } from 'graphql';
import { type CloseCode, createClient } from 'graphql-ws';
import WebSocket from 'ws';

export type LiveResult = FormattedExecutionResult<Record<string, any>, unknown>; // eslint-disable-line @typescript-eslint/no-explicit-any -- inspected field by field

export interface LiveSubscription {
  readonly events: LiveResult[];
  /** Resolves with every result when the server completes; rejects on a transport error (e.g. a close). */
  readonly done: Promise<LiveResult[]>;
  /** Milliseconds from subscribing until the first result (or the error). */
  readonly firstAnswerMs: Promise<number>;
  until(predicate: (event: LiveResult) => boolean, timeoutMs?: number): Promise<LiveResult>;
  close(): void;
}

interface Sink {
  events: LiveResult[];
  push(result: LiveResult): void;
  answered(): void;
  firstAnswerMs: Promise<number>;
  until: LiveSubscription['until'];
}

function sink(): Sink {
  const started = Date.now();
  const events: LiveResult[] = [];
  const waiters: { predicate: (e: LiveResult) => boolean; resolve: (e: LiveResult) => void }[] = [];
  let answer!: (ms: number) => void;
  const firstAnswerMs = new Promise<number>((resolve) => (answer = resolve));
  return {
    events,
    firstAnswerMs,
    answered: () => answer(Date.now() - started),
    push(result) {
      answer(Date.now() - started);
      events.push(result);
      for (const w of [...waiters]) if (w.predicate(result)) w.resolve(result);
    },
    until(predicate, timeoutMs = 60_000) {
      const found = events.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise<LiveResult>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching event in ${timeoutMs} ms; got ${JSON.stringify(events.slice(-3))}`)), timeoutMs);
        waiters.push({ predicate, resolve: (e) => { clearTimeout(timer); resolve(e); } });
      });
    },
  };
}

/** A graphql-ws subscription (token in the connection params, as browsers must send it) to `url`. */
export function wsSubscribe(url: string, authorization: string | null, query: string, variables: Record<string, unknown> = {}): LiveSubscription {
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: authorization ? { authorization } : {},
    retryAttempts: 0,
  });
  const s = sink();
  const done = new Promise<LiveResult[]>((resolve, reject) => {
    client.subscribe(
      { query, variables },
      {
        next: (value) => s.push(value as LiveResult),
        error: (error) => {
          s.answered();
          reject(error instanceof Error ? error : Object.assign(new Error(`closed: ${JSON.stringify(error)}`), error as { code?: CloseCode }));
        },
        complete: () => resolve(s.events),
      },
    );
  }).finally(() => void client.dispose());
  done.catch(() => undefined);
  return { events: s.events, done, firstAnswerMs: s.firstAnswerMs, until: s.until, close: () => void client.dispose() };
}

/** A subscription over server-sent events (POST, `Accept: text/event-stream`), as Hive Gateway serves them. */
export function sseSubscribe(url: string, authorization: string | null, query: string, variables: Record<string, unknown> = {}): LiveSubscription {
  const s = sink();
  const abort = new AbortController();
  const done = (async () => {
    const response = await fetch(url, {
      method: 'POST',
      signal: abort.signal,
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    if (!response.ok || !response.body) throw new Error(`SSE answered ${response.status}: ${await response.text()}`);
    let buffer = '';
    const decoder = new TextDecoder();
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const lines = block.split('\n');
        const event = lines.find((l) => l.startsWith('event:'))?.slice(6).trim() ?? 'message';
        const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
        if (event === 'complete') return s.events;
        if (data) s.push(JSON.parse(data) as LiveResult);
      }
    }
    return s.events;
  })().finally(() => s.answered());
  done.catch(() => undefined);
  return { events: s.events, done, firstAnswerMs: s.firstAnswerMs, until: s.until, close: () => abort.abort() };
}

/** A GraphQL POST; `authorization` is the header's whole value or null for none. */
export async function postGraphQL(url: string, authorization: string | null, query: string, variables: Record<string, unknown> = {}): Promise<LiveResult> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as LiveResult;
}
