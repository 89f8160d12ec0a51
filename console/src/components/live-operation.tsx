import { useEffect } from 'react';
import { useSubscription } from 'urql';
import { bytes } from '../lib/format';
import { ErrorNote, Stage } from './bits';

export interface OperationState {
  id: string;
  kind: string;
  status: string;
  progress: number;
  bytesDone: string | number;
  bytesTotal: string | number | null;
  currentStep: string | null;
  message: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  sequence: number;
  version: { id: string; version: string; status: string } | null;
}

export const OPERATION_FIELDS = 'id kind status progress bytesDone bytesTotal currentStep message errorCode errorMessage sequence version { id version status }';

const PROGRESS = `subscription Progress($id: ID!) { operationProgress(id: $id) { ${OPERATION_FIELDS} } }`;

interface Seen {
  latest: OperationState | null;
  steps: string[];
}

export function isFinished(status: string | undefined): boolean {
  return status === 'SUCCEEDED' || status === 'FAILED' || status === 'CANCELLED';
}

/** One operation as it happens: the API sends its current state first, then every update in sequence order. */
export function LiveOperation({ id, onChange }: { id: string; onChange?: (state: OperationState) => void }) {
  const [result] = useSubscription<{ operationProgress: OperationState }, Seen>({ query: PROGRESS, variables: { id } }, (previous = { latest: null, steps: [] }, data) => {
    const state = data.operationProgress;
    if (previous.latest && state.sequence < previous.latest.sequence) return previous;
    const step = state.currentStep;
    const steps = step && previous.steps[previous.steps.length - 1] !== step ? [...previous.steps, step] : previous.steps;
    return { latest: state, steps };
  });
  const state = result.data?.latest ?? null;
  useEffect(() => {
    if (state) onChange?.(state);
    // onChange is the caller's; a new function each render must not resend the same state.
  }, [state?.sequence, state?.status]);
  return (
    <section className="operation" aria-label={`Operation ${id}`} data-operation-id={id} data-status={state?.status ?? 'CONNECTING'}>
      <ErrorNote error={result.error} what="Live progress" />
      {state ? <OperationView state={state} steps={result.data?.steps} /> : <p className="muted">Connecting to live progress…</p>}
    </section>
  );
}

export function OperationView({ state, steps }: { state: OperationState; steps?: string[] }) {
  const percent = Math.round(state.progress * 100);
  return (
    <div>
      <p className="operation-head">
        <strong>{state.kind}</strong> {state.version ? <>of version {state.version.version}</> : null} <span className={`badge op-${state.status.toLowerCase()}`}>{state.status}</span>
        {state.version ? (
          <>
            {' '}
            version now <Stage value={state.version.status} />
          </>
        ) : null}
      </p>
      <label className="progress-label">
        <span>
          {percent}% {state.bytesTotal ? `· ${bytes(state.bytesDone)} of ${bytes(state.bytesTotal)}` : ''} {state.currentStep ? `· ${state.currentStep}` : ''}
        </span>
        <progress max={100} value={percent} aria-label={`${state.kind} progress`}>
          {percent}%
        </progress>
      </label>
      {steps && steps.length > 0 ? (
        <ol className="steps" aria-label="Steps so far">
          {steps.map((step, index) => (
            <li key={`${index}-${step}`}>{step}</li>
          ))}
        </ol>
      ) : null}
      {state.message ? <p className="muted">{state.message}</p> : null}
      {state.errorMessage ? (
        <p className="error">
          {state.errorMessage} {state.errorCode ? <code className="code">{state.errorCode}</code> : null}
        </p>
      ) : null}
    </div>
  );
}
