import type { ReactNode } from 'react';
import type { CombinedError } from 'urql';
import { errorCode, errorText } from '../lib/client';

export function ErrorNote({ error, what }: { error: CombinedError | undefined | null; what?: string }) {
  if (!error) return null;
  const code = errorCode(error);
  return (
    <p className="error" role="alert">
      {what ? `${what}: ` : ''}
      {errorText(error)}
      {code ? <code className="code">{code}</code> : null}
    </p>
  );
}

export function Stage({ value }: { value: string | null | undefined }) {
  if (!value) return <span className="muted">—</span>;
  return <span className={`badge stage-${value.toLowerCase()}`}>{value}</span>;
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="muted" role="status">
      {what}…
    </p>
  );
}

/** Wide tables scroll inside their own box on a narrow screen instead of stretching the page. */
export function TableBox({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-box" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

export function Facts({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <dl className="facts">
      {rows.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value ?? <span className="muted">—</span>}</dd>
        </div>
      ))}
    </dl>
  );
}
