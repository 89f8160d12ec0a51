import { useState } from 'react';
import { useQuery } from 'urql';
import { ErrorNote, Loading } from '../components/bits';
import { PromotionCard, type PromotionRequest, REQUEST_FIELDS } from '../components/promotion-card';
import { holds } from '../lib/session';
import { useSession } from '../lib/session-context';

const QUEUE = `query Queue($state: PromotionState, $after: String) {
  promotionRequests(state: $state, first: 20, after: $after) { pageInfo { hasNextPage endCursor } edges { node { ${REQUEST_FIELDS} } } }
}`;
const STATES = ['OPEN', 'APPROVED', 'REJECTED', 'WITHDRAWN'];

/** The approvers' queue: open requests of every project the holder reads, with their gates and a decision form. */
export function ApprovalsPage() {
  const { identity } = useSession();
  const [state, setState] = useState('OPEN');
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [result, reload] = useQuery<{ promotionRequests: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: PromotionRequest }[] } }>({
    query: QUEUE,
    variables: { state, after: cursors[cursors.length - 1] },
  });
  const page = result.data?.promotionRequests;
  return (
    <>
      <h1>Approvals</h1>
      <div className="row">
        <label>
          Requests
          <select value={state} onChange={(event) => { setState(event.target.value); setCursors([null]); }}>
            {STATES.map((s) => <option key={s} value={s}>{s.toLowerCase()}</option>)}
          </select>
        </label>
        <button type="button" onClick={() => reload({ requestPolicy: 'network-only' })}>Refresh</button>
      </div>
      {!holds(identity, 'approver') ? <p className="muted">You can see the queue; deciding needs the approver role in the request’s project.</p> : null}
      <ErrorNote error={result.error} what="Queue" />
      {!page ? <Loading what="Loading the queue" /> : page.edges.length === 0 ? <p className="muted" role="status">No {state.toLowerCase()} requests.</p> : null}
      {page?.edges.map(({ node }) => (
        <PromotionCard key={node.id} request={node} canDecide={holds(identity, 'approver', node.project)} onDecided={() => reload({ requestPolicy: 'network-only' })} />
      ))}
      {page ? (
        <nav className="pager" aria-label="Pages of requests">
          <button type="button" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>Previous page</button>
          <button type="button" disabled={!page.pageInfo.hasNextPage} onClick={() => setCursors([...cursors, page.pageInfo.endCursor])}>Next page</button>
        </nav>
      ) : null}
    </>
  );
}
