import { useState } from 'react';
import { useQuery } from 'urql';
import { ErrorNote, Loading, Stage, TableBox } from '../components/bits';
import { FileTree } from '../components/file-tree';
import { bytes, num, params as formatParams, when } from '../lib/format';
import type { ModelTabProps, VersionRow } from './model-types';

const SIDE = 'id version status aliases createdAt filesComplete verifiedMetadata { architecture parameterCount contextLength torchDtype quantization license } files(first: 300) { path size sha256 }';
const COMPARE = `query Compare($a: ID!, $b: ID!, $model: ID!) {
  a: version(id: $a) { ${SIDE} }
  b: version(id: $b) { ${SIDE} }
  model(id: $model) { evaluations(first: 100) { benchmark metric score provenance version { id } } }
}`;

interface Side {
  version: string;
  status: string;
  aliases: string[];
  createdAt: string;
  verifiedMetadata: Record<string, string | number | null> | null;
  files: { path: string; size: string | number; sha256: string }[];
}

function Compare({ modelId, a, b }: { modelId: string; a: VersionRow; b: VersionRow }) {
  const [result] = useQuery<{ a: Side; b: Side; model: { evaluations: { benchmark: string; metric: string | null; score: number; provenance: string; version: { id: string } }[] } }>({
    query: COMPARE,
    variables: { a: a.id, b: b.id, model: modelId },
  });
  if (result.error) return <ErrorNote error={result.error} what="Comparison" />;
  if (!result.data) return <Loading what="Comparing" />;
  const { a: left, b: right, model } = result.data;
  const meta = (side: Side, key: string) => side.verifiedMetadata?.[key] ?? '—';
  const paths = [...new Set([...left.files.map((f) => f.path), ...right.files.map((f) => f.path)])].sort();
  const fileOf = (side: Side, path: string) => side.files.find((f) => f.path === path);
  const scores = (versionId: string, benchmark: string) => model.evaluations.filter((e) => e.version.id === versionId && e.benchmark === benchmark).map((e) => `${num(e.score, 3)} (${e.provenance})`).join(', ') || '—';
  const benchmarks = [...new Set(model.evaluations.filter((e) => e.version.id === a.id || e.version.id === b.id).map((e) => e.benchmark))].sort();
  const rows: [string, string, string][] = [
    ['Stage', left.status, right.status],
    ['Aliases', left.aliases.join(', ') || '—', right.aliases.join(', ') || '—'],
    ['Created', when(left.createdAt), when(right.createdAt)],
    ...(['architecture', 'contextLength', 'torchDtype', 'quantization', 'license'] as const).map((key): [string, string, string] => [key, String(meta(left, key)), String(meta(right, key))]),
    ['parameters', formatParams(left.verifiedMetadata?.parameterCount), formatParams(right.verifiedMetadata?.parameterCount)],
    ...benchmarks.map((bench): [string, string, string] => [`eval ${bench}`, scores(a.id, bench), scores(b.id, bench)]),
  ];
  return (
    <TableBox label={`Version ${a.version} beside ${b.version}`}>
      <table className="compare">
        <thead>
          <tr><th scope="col">Field</th><th scope="col">{a.version}</th><th scope="col">{b.version}</th></tr>
        </thead>
        <tbody>
          {rows.map(([field, x, y]) => (
            <tr key={field} className={x === y ? '' : 'differs'}><th scope="row">{field}</th><td>{x}</td><td>{y}</td></tr>
          ))}
          {paths.map((path) => {
            const x = fileOf(left, path);
            const y = fileOf(right, path);
            const same = x && y && x.sha256 === y.sha256;
            return (
              <tr key={`file-${path}`} className={same ? '' : 'differs'}>
                <th scope="row">file {path}</th>
                <td>{x ? `${bytes(x.size)} ${x.sha256.slice(0, 10)}` : 'absent'}</td>
                <td>{y ? `${bytes(y.size)} ${y.sha256.slice(0, 10)}${same ? ' (same)' : ''}` : 'absent'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableBox>
  );
}

export function ModelVersions({ model }: ModelTabProps) {
  const [left, setLeft] = useState(model.versions[1]?.id ?? model.versions[0]?.id ?? '');
  const [right, setRight] = useState(model.versions[0]?.id ?? '');
  const a = model.versions.find((v) => v.id === left);
  const b = model.versions.find((v) => v.id === right);
  return (
    <>
      <h2>Versions</h2>
      <TableBox label="Versions">
        <table>
          <thead>
            <tr><th scope="col">Version</th><th scope="col">Stage</th><th scope="col">Aliases</th><th scope="col">Created</th><th scope="col">Files complete</th><th scope="col">Downloads</th></tr>
          </thead>
          <tbody>
            {model.versions.map((v) => (
              <tr key={v.id}>
                <th scope="row">{v.version}{model.defaultVersion?.id === v.id ? <span className="tag">default</span> : null}</th>
                <td><Stage value={v.status} />{v.statusReason ? <div className="small warn">{v.statusReason}</div> : null}</td>
                <td>{v.aliases.map((alias) => <span key={alias} className="tag">{alias}</span>)}</td>
                <td>{when(v.createdAt)} by {v.createdBy}</td>
                <td>{v.filesComplete ? 'yes' : 'no'}</td>
                <td>{v.downloadCount}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableBox>
      <h2>Side by side</h2>
      {model.versions.length < 2 ? <p className="muted">One version only: nothing to compare yet.</p> : (
        <>
          <div className="row">
            <label>
              Left version
              <select value={left} onChange={(event) => setLeft(event.target.value)}>
                {model.versions.map((v) => <option key={v.id} value={v.id}>{v.version}</option>)}
              </select>
            </label>
            <label>
              Right version
              <select value={right} onChange={(event) => setRight(event.target.value)}>
                {model.versions.map((v) => <option key={v.id} value={v.id}>{v.version}</option>)}
              </select>
            </label>
          </div>
          {a && b ? <Compare modelId={model.id} a={a} b={b} /> : null}
        </>
      )}
    </>
  );
}

export function ModelFiles({ version }: ModelTabProps) {
  if (!version) return <p className="muted">No version yet.</p>;
  return (
    <>
      <h2>Files of {version.version}</h2>
      <p className="muted small">Downloads use your token; from a terminal: <code>curl -H "Authorization: Bearer $TOKEN" -OJ {location.origin}/files/versions/{version.id}/download/&lt;path&gt;</code></p>
      <FileTree versionId={version.id} />
    </>
  );
}
