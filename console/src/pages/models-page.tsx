import { type FormEvent, useState } from 'react';
import { useQuery } from 'urql';
import { ErrorNote, Loading, Stage, TableBox } from '../components/bits';
import { Link } from '../components/link';
import { params as formatParams, parseParams, when } from '../lib/format';
import { href, modelHref, navigate } from '../lib/router';

const STAGES = ['DRAFT', 'INGESTING', 'VERIFIED', 'NEEDS_ATTENTION', 'EVALUATED', 'PUBLISHED', 'ARCHIVED'];
const ORDERS: [string, string][] = [
  ['CREATED_AT_DESC', 'Newest first'],
  ['UPDATED_AT_DESC', 'Recently updated'],
  ['NAME_ASC', 'Name A–Z'],
  ['PARAMETER_COUNT_DESC', 'Largest first'],
  ['PARAMETER_COUNT_ASC', 'Smallest first'],
];
const PAGE = 20;

const MODELS = `query Models($first: Int, $after: String, $filter: ModelFilterInput, $orderBy: ModelOrder) {
  models(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id name displayName architecture parameterCount status tags project createdAt license { id } defaultVersion { version } latestScan { status } } }
  }
  licenses { id name }
}`;

interface ModelRow {
  id: string;
  name: string;
  displayName: string | null;
  architecture: string | null;
  parameterCount: string | number | null;
  status: string;
  tags: string[];
  project: string | null;
  createdAt: string;
  license: { id: string } | null;
  defaultVersion: { version: string } | null;
  latestScan: { status: string } | null;
}

const FIELDS = ['q', 'tags', 'status', 'license', 'arch', 'minp', 'maxp', 'order'] as const;

function filterOf(p: URLSearchParams): Record<string, unknown> {
  const filter: Record<string, unknown> = {};
  if (p.get('q')) filter.search = p.get('q');
  const tags = (p.get('tags') ?? '').split(',').map((tag) => tag.trim()).filter(Boolean);
  if (tags.length) filter.tags = tags;
  if (p.get('status')) filter.status = [p.get('status')];
  if (p.get('license')) filter.license = p.get('license');
  if (p.get('arch')) filter.architecture = p.get('arch');
  const min = parseParams(p.get('minp') ?? '');
  const max = parseParams(p.get('maxp') ?? '');
  if (min) filter.minParameters = min;
  if (max) filter.maxParameters = max;
  return filter;
}

/** The catalogue, newest first: search and filters live in the address, so a search can be shared. */
export function ModelsPage({ params }: { params: URLSearchParams }) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1];
  const [result] = useQuery<{ models: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: ModelRow }[] }; licenses: { id: string; name: string }[] }>({
    query: MODELS,
    variables: { first: PAGE, after, filter: filterOf(params), orderBy: params.get('order') || 'CREATED_AT_DESC' },
  });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next: Record<string, string> = {};
    for (const field of FIELDS) next[field] = String(form.get(field) ?? '').trim();
    setCursors([null]);
    navigate(href('/', next));
  };

  const models = result.data?.models;
  return (
    <>
      <h1>Models</h1>
      <form className="filters" onSubmit={submit} role="search" aria-label="Search models" key={params.toString()}>
        <label>
          Search
          <input name="q" type="search" defaultValue={params.get('q') ?? ''} placeholder="name, description…" />
        </label>
        <label>
          Tags
          <input name="tags" defaultValue={params.get('tags') ?? ''} placeholder="instruct, code" />
        </label>
        <label>
          Stage
          <select name="status" defaultValue={params.get('status') ?? ''}>
            <option value="">Any stage</option>
            {STAGES.map((stage) => (
              <option key={stage}>{stage}</option>
            ))}
          </select>
        </label>
        <label>
          License
          <select name="license" defaultValue={params.get('license') ?? ''}>
            <option value="">Any license</option>
            {(result.data?.licenses ?? []).map((license) => (
              <option key={license.id} value={license.id}>
                {license.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Architecture
          <input name="arch" defaultValue={params.get('arch') ?? ''} placeholder="LlamaForCausalLM" />
        </label>
        <label>
          Min parameters
          <input name="minp" defaultValue={params.get('minp') ?? ''} placeholder="1B" inputMode="decimal" />
        </label>
        <label>
          Max parameters
          <input name="maxp" defaultValue={params.get('maxp') ?? ''} placeholder="80B" inputMode="decimal" />
        </label>
        <label>
          Order
          <select name="order" defaultValue={params.get('order') ?? 'CREATED_AT_DESC'}>
            {ORDERS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <div className="actions">
          <button type="submit">Search</button>
          <Link to={href('/')} onClick={() => setCursors([null])}>
            Clear
          </Link>
        </div>
      </form>
      <ErrorNote error={result.error} what="Models" />
      {result.fetching && !models ? <Loading what="Loading models" /> : null}
      {models ? (
        <>
          <p className="muted" role="status" aria-live="polite">
            {models.totalCount} {models.totalCount === 1 ? 'model' : 'models'}
            {cursors.length > 1 ? `, page ${cursors.length}` : ''}
          </p>
          <TableBox label="Models">
            <table className="models">
              <thead>
                <tr>
                  <th scope="col">Model</th>
                  <th scope="col">Stage</th>
                  <th scope="col">Architecture</th>
                  <th scope="col">Parameters</th>
                  <th scope="col">License</th>
                  <th scope="col">Default</th>
                  <th scope="col">Scan</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {models.edges.map(({ node }) => (
                  <tr key={node.id}>
                    <th scope="row">
                      <Link to={modelHref(node.name)}>{node.displayName ?? node.name}</Link>
                      {node.displayName ? <div className="muted small">{node.name}</div> : null}
                      {node.tags.length ? <div className="tags">{node.tags.map((tag) => <span key={tag} className="tag">{tag}</span>)}</div> : null}
                    </th>
                    <td><Stage value={node.status} /></td>
                    <td>{node.architecture ?? '—'}</td>
                    <td>{formatParams(node.parameterCount)}</td>
                    <td>{node.license?.id ?? '—'}</td>
                    <td>{node.defaultVersion?.version ?? '—'}</td>
                    <td>{node.latestScan?.status ?? '—'}</td>
                    <td>{when(node.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableBox>
          <nav className="pager" aria-label="Pages of models">
            <button type="button" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
              Previous page
            </button>
            <button type="button" disabled={!models.pageInfo.hasNextPage} onClick={() => setCursors([...cursors, models.pageInfo.endCursor])}>
              Next page
            </button>
          </nav>
        </>
      ) : null}
    </>
  );
}
