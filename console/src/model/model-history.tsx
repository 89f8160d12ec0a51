import { useState } from 'react';
import { useQuery } from 'urql';
import { ErrorNote, Loading, Stage, TableBox } from '../components/bits';
import { when } from '../lib/format';
import type { ModelTabProps } from './model-types';

const TRANSITIONS = `query Transitions($id: ID!) { version(id: $id) { id transitions(first: 100) { fromStatus toStatus reason actor occurredAt } } }`;
const AUDIT = `query Audit($modelId: ID!, $after: String) {
  auditLog(modelId: $modelId, first: 50, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id occurredAt actor action reason versionId details } } }
}`;

interface AuditEntry { id: string; occurredAt: string; actor: string; action: string; reason: string | null; versionId: string | null; details: Record<string, unknown> }

function AuditPage({ modelId, after, last, versions, onMore }: { modelId: string; after: string | null; last: boolean; versions: Map<string, string>; onMore: (cursor: string) => void }) {
  const [result] = useQuery<{ auditLog: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: AuditEntry }[] } }>({ query: AUDIT, variables: { modelId, after } });
  if (result.error) return <tr><td colSpan={5}><ErrorNote error={result.error} what="Audit" /></td></tr>;
  if (!result.data) return <tr><td colSpan={5}><Loading what="Loading the audit trail" /></td></tr>;
  const { edges, pageInfo } = result.data.auditLog;
  return (
    <>
      {edges.map(({ node }) => (
        <tr key={node.id}>
          <td>{when(node.occurredAt)}</td>
          <td>{node.actor}</td>
          <th scope="row"><code>{node.action}</code></th>
          <td>{node.versionId ? versions.get(node.versionId) ?? '—' : '—'}</td>
          <td>{node.reason ?? ''} <details><summary>details</summary><pre>{JSON.stringify(node.details, null, 2)}</pre></details></td>
        </tr>
      ))}
      {last && pageInfo.hasNextPage && pageInfo.endCursor ? (
        <tr><td colSpan={5}><button type="button" onClick={() => onMore(pageInfo.endCursor as string)}>Later entries</button></td></tr>
      ) : null}
    </>
  );
}

/** The version's lifecycle moves, and the model's append-only audit trail (oldest first, paged). */
export function ModelHistory({ model, version }: ModelTabProps) {
  const [pages, setPages] = useState<(string | null)[]>([null]);
  const [result] = useQuery<{ version: { transitions: { fromStatus: string | null; toStatus: string; reason: string | null; actor: string; occurredAt: string }[] } }>({
    query: TRANSITIONS, variables: { id: version?.id }, pause: !version,
  });
  const versions = new Map(model.versions.map((v) => [v.id, v.version]));
  return (
    <>
      <h2>Lifecycle of {version?.version ?? '—'}</h2>
      <ErrorNote error={result.error} what="Lifecycle" />
      {result.data ? (
        <ol className="timeline">
          {result.data.version.transitions.map((t, i) => (
            <li key={i}>
              <time dateTime={t.occurredAt}>{when(t.occurredAt)}</time> <Stage value={t.fromStatus} /> → <Stage value={t.toStatus} /> by {t.actor}{t.reason ? ` — ${t.reason}` : ''}
            </li>
          ))}
        </ol>
      ) : version ? <Loading /> : null}
      <h2>Audit trail</h2>
      <TableBox label="Audit trail">
        <table>
          <thead><tr><th scope="col">When</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Version</th><th scope="col">Reason and details</th></tr></thead>
          <tbody>
            {pages.map((after, index) => <AuditPage key={after ?? 'first'} modelId={model.id} after={after} last={index === pages.length - 1} versions={versions} onMore={(cursor) => setPages((p) => (p.includes(cursor) ? p : [...p, cursor]))} />)}
          </tbody>
        </table>
      </TableBox>
    </>
  );
}
