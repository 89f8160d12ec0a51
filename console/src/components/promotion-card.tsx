import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import { when } from '../lib/format';
import { modelHref } from '../lib/router';
import { ErrorNote, Stage } from './bits';
import { Link } from './link';

export const REQUEST_FIELDS = `id target state requestedBy justification requiredApprovals createdAt decidedBy decisionReason decidedAt project
  approvals { approver comment approvedAt }
  evidence { at licenseOutcome gates { gate passed detail } }
  model { id name } version { id version status }`;

export interface PromotionRequest {
  id: string;
  target: string;
  state: string;
  requestedBy: string;
  justification: string;
  requiredApprovals: number;
  createdAt: string;
  decidedBy: string | null;
  decisionReason: string | null;
  decidedAt: string | null;
  project: string;
  approvals: { approver: string; comment: string | null; approvedAt: string }[];
  evidence: { at: string; licenseOutcome: string; gates: { gate: string; passed: boolean; detail: string }[] };
  model: { id: string; name: string };
  version: { id: string; version: string; status: string };
}

const APPROVE = `mutation Approve($id: ID!, $comment: String) { approvePromotion(requestId: $id, comment: $comment) { ${REQUEST_FIELDS} } }`;
const REJECT = `mutation Reject($id: ID!, $reason: String!) { rejectPromotion(requestId: $id, reason: $reason) { ${REQUEST_FIELDS} } }`;

/** A request with its gates as they were when it opened; approvers decide here, with a comment. */
export function PromotionCard({ request, canDecide, onDecided }: { request: PromotionRequest; canDecide: boolean; onDecided?: () => void }) {
  const [comment, setComment] = useState('');
  const [approved, approve] = useMutation(APPROVE);
  const [rejected, reject] = useMutation(REJECT);
  const [missing, setMissing] = useState(false);
  const decide = async (event: FormEvent<HTMLFormElement>, kind: 'approve' | 'reject') => {
    event.preventDefault();
    if (kind === 'reject' && !comment.trim()) return setMissing(true);
    setMissing(false);
    const answer = kind === 'approve' ? await approve({ id: request.id, comment: comment.trim() || null }) : await reject({ id: request.id, reason: comment.trim() });
    if (!answer.error) onDecided?.();
  };
  const fieldId = `decision-${request.id}`;
  return (
    <article className="request" aria-label={`Request ${request.model.name} ${request.version.version} to ${request.target}`} data-request-id={request.id} data-state={request.state}>
      <h3>
        <Link to={modelHref(request.model.name, { version: request.version.version, tab: 'governance' })}>{request.model.name}</Link> {request.version.version}: <Stage value={request.version.status} /> → <Stage value={request.target} />{' '}
        <span className={`badge req-${request.state.toLowerCase()}`}>{request.state}</span>
      </h3>
      <p>
        “{request.justification}” — {request.requestedBy}, {when(request.createdAt)} · project {request.project} · approvals {request.approvals.length} of {request.requiredApprovals}
      </p>
      <ul className="gates" aria-label="Gates">
        {request.evidence.gates.map((gate) => (
          <li key={gate.gate} className={gate.passed ? 'pass' : 'fail'}>
            <span aria-hidden="true">{gate.passed ? '✔' : '✘'}</span> <strong>{gate.gate}</strong> {gate.passed ? 'passed' : 'not met'} — {gate.detail}
          </li>
        ))}
      </ul>
      {request.approvals.length ? (
        <ul className="approvals">{request.approvals.map((a) => <li key={a.approver}>approved by {a.approver}{a.comment ? `: “${a.comment}”` : ''} ({when(a.approvedAt)})</li>)}</ul>
      ) : null}
      {request.decidedBy ? <p className="muted">Decided by {request.decidedBy} {when(request.decidedAt)}{request.decisionReason ? `: ${request.decisionReason}` : ''}</p> : null}
      {canDecide && request.state === 'OPEN' ? (
        <form className="decide" onSubmit={(event) => decide(event, 'approve')}>
          <label htmlFor={fieldId}>Comment (a reason is required to reject)</label>
          <textarea id={fieldId} rows={2} value={comment} onChange={(event) => setComment(event.target.value)} aria-invalid={missing} />
          {missing ? <p className="error" role="alert">Say why you reject it.</p> : null}
          <div className="actions">
            <button type="submit" disabled={approved.fetching}>Approve</button>
            <button type="button" className="danger" disabled={rejected.fetching} onClick={(event) => decide(event as unknown as FormEvent<HTMLFormElement>, 'reject')}>Reject</button>
          </div>
          <ErrorNote error={approved.error} what="Approve" />
          <ErrorNote error={rejected.error} what="Reject" />
        </form>
      ) : null}
    </article>
  );
}
