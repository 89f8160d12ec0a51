import { useEffect, useRef, useState } from 'react';
import { useSubscription } from 'urql';
import { ErrorNote } from '../components/bits';
import { isFinished, LiveOperation } from '../components/live-operation';
import type { ModelDetail } from './model-types';

const EVENTS = `subscription ModelEvents($modelId: ID!) {
  modelEvents(modelId: $modelId) { type at fromStatus toStatus reason operation { id kind status progress currentStep version { version status } } audit { action actor } }
}`;

interface ModelEvent {
  type: 'OPERATION' | 'STATUS' | 'AUDIT';
  at: string;
  fromStatus: string | null;
  toStatus: string | null;
  reason: string | null;
  operation: { id: string; kind: string; status: string; progress: number; currentStep: string | null; version: { version: string; status: string } | null } | null;
  audit: { action: string; actor: string } | null;
}

function describe(event: ModelEvent): string | null {
  if (event.type === 'STATUS') return `Stage ${event.fromStatus ?? '—'} → ${event.toStatus}${event.reason ? ` (${event.reason})` : ''}`;
  if (event.type === 'AUDIT' && event.audit) return `${event.audit.actor}: ${event.audit.action}`;
  const op = event.operation;
  if (!op) return null;
  return `${op.kind}${op.version ? ` ${op.version.version}` : ''} ${op.status}${op.currentStep ? ` · ${op.currentStep}` : ''} (${Math.round(op.progress * 100)}%)`;
}

/**
 * What happens to the model while the page is open, from the modelEvents subscription: lifecycle moves, operation
 * updates and audit entries, with a live progress bar (operationProgress) for every operation that runs. The page's
 * data is read again when a stage changes or an operation ends.
 */
export function ModelLive({ model, params, refresh }: { model: ModelDetail; params: URLSearchParams; refresh(): void }) {
  const [watched, setWatched] = useState<string[]>(() => {
    const running = model.operations.filter((op) => !isFinished(op.status)).map((op) => op.id);
    const asked = params.get('operation');
    return asked && !running.includes(asked) ? [asked, ...running] : running;
  });
  const asked = params.get('operation');
  useEffect(() => {
    if (asked) setWatched((previous) => (previous.includes(asked) ? previous : [asked, ...previous]));
  }, [asked]);
  const refreshRef = useRef(refresh);
  refreshRef.current = refresh;
  const handled = useRef(0);

  // Events are folded as they arrive (several may land in one render), newest first.
  const [events] = useSubscription<{ modelEvents: ModelEvent }, { count: number; list: ModelEvent[] }>(
    { query: EVENTS, variables: { modelId: model.id } },
    (previous = { count: 0, list: [] }, data) => ({ count: previous.count + 1, list: [data.modelEvents, ...previous.list].slice(0, 50) }),
  );
  const count = events.data?.count ?? 0;
  const list = events.data?.list ?? [];
  useEffect(() => {
    const fresh = list.slice(0, Math.min(count - handled.current, list.length));
    handled.current = count;
    if (fresh.length === 0) return;
    const started = fresh.flatMap((event) => (event.operation && !isFinished(event.operation.status) ? [event.operation.id] : []));
    if (started.length) setWatched((previous) => [...new Set([...started, ...previous])]);
    if (fresh.some((event) => event.type === 'STATUS' || (event.operation && isFinished(event.operation.status)))) refreshRef.current();
  }, [count, list]);
  const log = list.flatMap((event, index) => {
    const text = describe(event);
    return text ? [{ key: `${count - index}`, text, at: event.at }] : [];
  });

  return (
    <section className="live" aria-label="Live activity">
      <h2>
        Live <span className={`dot ${events.error ? 'off' : 'on'}`} aria-hidden="true" /> <span className="muted small">{events.error ? 'disconnected' : 'connected'}</span>
      </h2>
      <ErrorNote error={events.error} what="Live events" />
      {watched.map((id) => (
        <LiveOperation key={id} id={id} onChange={(state) => isFinished(state.status) && refreshRef.current()} />
      ))}
      <ol className="event-log" aria-live="polite" aria-label="Events while this page is open">
        {log.length === 0 ? <li className="muted">No events yet: imports, scans and stage changes appear here as they happen.</li> : null}
        {log.map((entry) => (
          <li key={entry.key}>
            <time dateTime={entry.at}>{new Date(entry.at).toLocaleTimeString()}</time> {entry.text}
          </li>
        ))}
      </ol>
    </section>
  );
}
