import { useState } from 'react';
import { useQuery } from 'urql';
import { ErrorNote, Loading, TableBox } from '../components/bits';
import { num, when } from '../lib/format';
import type { ModelTabProps } from './model-types';

const EVIDENCE = `query Evidence($id: ID!) {
  model(id: $id) {
    evaluations(first: 100) { id benchmark metric score numShots provenance suite runner runnerVersion datasetVersion n stderr recordedBy recordedAt version { id version } }
    benchmarks(first: 100) { id hardwareProfile ttftP50Ms ttftP99Ms latencyP50Ms latencyP99Ms throughputTokensPerSecond provenance recordedBy recordedAt version { id version } }
  }
}`;

interface Evaluation {
  id: string; benchmark: string; metric: string | null; score: number; numShots: number | null; provenance: string; suite: string | null; runner: string | null;
  runnerVersion: string | null; datasetVersion: string | null; n: number | null; stderr: number | null; recordedBy: string; recordedAt: string; version: { id: string; version: string };
}
interface Benchmark {
  id: string; hardwareProfile: string; ttftP50Ms: number | null; ttftP99Ms: number | null; latencyP50Ms: number | null; latencyP99Ms: number | null;
  throughputTokensPerSecond: number | null; provenance: string; recordedBy: string; recordedAt: string; version: { id: string; version: string };
}

function Provenance({ value }: { value: string }) {
  const title = value === 'MEASURED' ? 'measured by our own runs' : value === 'REPORTED' ? 'reported upstream (model card)' : 'recorded by a person';
  return <span className={`badge prov-${value.toLowerCase()}`} title={title}>{value}</span>;
}

/** Scores and serving figures with their provenance: only MEASURED rows count as promotion evidence. */
export function ModelEvidence({ model, version }: ModelTabProps) {
  const [onlyThis, setOnlyThis] = useState(true);
  const [result] = useQuery<{ model: { evaluations: Evaluation[]; benchmarks: Benchmark[] } }>({ query: EVIDENCE, variables: { id: model.id } });
  if (result.error) return <ErrorNote error={result.error} what="Evidence" />;
  if (!result.data) return <Loading what="Loading evaluations and benchmarks" />;
  const keep = <T extends { version: { id: string } }>(rows: T[]) => (onlyThis && version ? rows.filter((row) => row.version.id === version.id) : rows);
  const evaluations = keep(result.data.model.evaluations);
  const benchmarks = keep(result.data.model.benchmarks);
  return (
    <>
      <label className="check">
        <input type="checkbox" checked={onlyThis} onChange={(event) => setOnlyThis(event.target.checked)} /> Only version {version?.version ?? ''}
      </label>
      <h2>Evaluations</h2>
      {evaluations.length === 0 ? <p className="muted">None yet.</p> : (
        <TableBox label="Evaluations">
          <table>
            <thead><tr><th scope="col">Benchmark</th><th scope="col">Score</th><th scope="col">Provenance</th><th scope="col">Version</th><th scope="col">Runner</th><th scope="col">Shots / n</th><th scope="col">Recorded</th></tr></thead>
            <tbody>
              {evaluations.map((e) => (
                <tr key={e.id}>
                  <th scope="row">{e.benchmark}{e.metric ? <span className="muted small"> {e.metric}</span> : null}</th>
                  <td>{num(e.score, 4)}{e.stderr ? ` ± ${num(e.stderr, 4)}` : ''}</td>
                  <td><Provenance value={e.provenance} /></td>
                  <td>{e.version.version}</td>
                  <td>{[e.runner, e.runnerVersion, e.suite, e.datasetVersion].filter(Boolean).join(' · ') || '—'}</td>
                  <td>{e.numShots ?? '—'} / {e.n ?? '—'}</td>
                  <td>{when(e.recordedAt)} by {e.recordedBy}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableBox>
      )}
      <h2>Benchmarks</h2>
      {benchmarks.length === 0 ? <p className="muted">None yet.</p> : (
        <TableBox label="Benchmarks">
          <table>
            <thead><tr><th scope="col">Hardware</th><th scope="col">Tokens/s</th><th scope="col">TTFT p50 / p99 ms</th><th scope="col">Latency p50 / p99 ms</th><th scope="col">Provenance</th><th scope="col">Version</th><th scope="col">Recorded</th></tr></thead>
            <tbody>
              {benchmarks.map((b) => (
                <tr key={b.id}>
                  <th scope="row">{b.hardwareProfile}</th>
                  <td>{num(b.throughputTokensPerSecond, 1)}</td>
                  <td>{num(b.ttftP50Ms, 1)} / {num(b.ttftP99Ms, 1)}</td>
                  <td>{num(b.latencyP50Ms, 1)} / {num(b.latencyP99Ms, 1)}</td>
                  <td><Provenance value={b.provenance} /></td>
                  <td>{b.version.version}</td>
                  <td>{when(b.recordedAt)} by {b.recordedBy}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableBox>
      )}
    </>
  );
}
