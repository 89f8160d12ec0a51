import type { FormEvent } from 'react';
import { useQuery } from 'urql';
import { ErrorNote, Loading, TableBox } from '../components/bits';
import { Link } from '../components/link';
import { ParetoChart, type PlotPoint } from '../components/pareto-chart';
import { num, parseParams } from '../lib/format';
import { href, modelHref, navigate } from '../lib/router';

const PERFORMANCE = ['throughput_tokens_per_second', 'ttft_p50_ms', 'ttft_p99_ms', 'latency_p50_ms', 'latency_p99_ms'];
const QUALITY = ['mmlu', 'humaneval', 'gsm8k', 'hellaswag', 'arc_challenge', 'truthfulqa'];
const ENTRY = 'rank value provenance hardwareProfile model { id name } version { version }';
const BOARD = `query Board($q: String!, $p: String!, $hw: String, $prov: Provenance, $tags: [String!], $arch: String, $minP: BigInt, $maxP: BigInt, $maxTtft: Float) {
  quality: leaderboard(metric: $q, first: 100, provenance: $prov, tags: $tags, architecture: $arch, minParams: $minP, maxParams: $maxP) { direction entries { ${ENTRY} } pageInfo { hasNextPage } }
  performance: leaderboard(metric: $p, first: 100, hardwareProfile: $hw, provenance: $prov, tags: $tags, architecture: $arch, minParams: $minP, maxParams: $maxP, maxTtftP99Ms: $maxTtft) { direction entries { ${ENTRY} } }
  paretoFront(qualityMetric: $q, performanceMetric: $p, hardwareProfile: $hw, provenance: $prov, tags: $tags, architecture: $arch, minParams: $minP, maxParams: $maxP, maxTtftP99Ms: $maxTtft) { points { quality performance model { id name } } }
}`;

interface Entry { rank: number; value: number; provenance: string; hardwareProfile: string | null; model: { id: string; name: string }; version: { version: string } }
interface Board { direction: string; entries: Entry[] }

const FIELDS = ['quality', 'performance', 'hw', 'prov', 'tags', 'arch', 'minp', 'maxp', 'maxttft'] as const;

/** The best result of each model on a quality metric, and quality against a serving metric with the Pareto front. */
export function LeaderboardPage({ params }: { params: URLSearchParams }) {
  const quality = params.get('quality') || 'mmlu';
  const performance = params.get('performance') || 'throughput_tokens_per_second';
  const tags = (params.get('tags') ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  const [result] = useQuery<{ quality: Board & { pageInfo: { hasNextPage: boolean } }; performance: Board; paretoFront: { points: { quality: number; performance: number; model: { id: string; name: string } }[] } }>({
    query: BOARD,
    variables: {
      q: quality, p: performance, hw: params.get('hw') || null, prov: params.get('prov') || null, tags: tags.length ? tags : null, arch: params.get('arch') || null,
      minP: parseParams(params.get('minp') ?? ''), maxP: parseParams(params.get('maxp') ?? ''), maxTtft: params.get('maxttft') ? Number(params.get('maxttft')) : null,
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next: Record<string, string> = {};
    for (const field of FIELDS) next[field] = String(form.get(field) ?? '').trim();
    navigate(href('/leaderboard', next));
  };
  const data = result.data;
  const performanceOf = new Map((data?.performance.entries ?? []).map((e) => [e.model.id, e.value]));
  const points: PlotPoint[] = (data?.quality.entries ?? []).flatMap((e) => (performanceOf.has(e.model.id) ? [{ model: e.model.name, quality: e.value, performance: performanceOf.get(e.model.id) as number }] : []));
  const front: PlotPoint[] = (data?.paretoFront.points ?? []).map((p) => ({ model: p.model.name, quality: p.quality, performance: p.performance }));
  const onFront = new Set(front.map((p) => p.model));
  return (
    <>
      <h1>Leaderboard</h1>
      <form className="filters" onSubmit={submit} aria-label="Leaderboard settings" key={params.toString()}>
        <label>Quality metric<input name="quality" list="quality-metrics" defaultValue={quality} required /></label>
        <datalist id="quality-metrics">{QUALITY.map((m) => <option key={m} value={m} />)}</datalist>
        <label>
          Performance metric
          <select name="performance" defaultValue={performance}>{PERFORMANCE.map((m) => <option key={m}>{m}</option>)}</select>
        </label>
        <label>Hardware profile<input name="hw" defaultValue={params.get('hw') ?? ''} placeholder="1xH100-80GB vllm" /></label>
        <label>
          Provenance
          <select name="prov" defaultValue={params.get('prov') ?? ''}>
            <option value="">Measured and reported</option>
            <option value="MEASURED">Measured only</option>
            <option value="REPORTED">Reported only</option>
            <option value="RECORDED">Recorded by hand</option>
          </select>
        </label>
        <label>Tags<input name="tags" defaultValue={params.get('tags') ?? ''} /></label>
        <label>Architecture<input name="arch" defaultValue={params.get('arch') ?? ''} /></label>
        <label>Min parameters<input name="minp" defaultValue={params.get('minp') ?? ''} placeholder="1B" /></label>
        <label>Max parameters<input name="maxp" defaultValue={params.get('maxp') ?? ''} placeholder="80B" /></label>
        <label>Max TTFT p99 (ms)<input name="maxttft" type="number" min={0} defaultValue={params.get('maxttft') ?? ''} /></label>
        <div className="actions"><button type="submit">Show</button></div>
      </form>
      <ErrorNote error={result.error} what="Leaderboard" />
      {!data && !result.error ? <Loading what="Ranking" /> : null}
      {data ? (
        <>
          <h2>{quality} against {performance}</h2>
          {points.length === 0 ? <p className="muted">No model has results on both metrics with these settings.</p> : <ParetoChart points={points} front={front} qualityMetric={quality} performanceMetric={performance} />}
          <details>
            <summary>Data of the plot ({points.length} models)</summary>
            <TableBox label="Plot data">
              <table>
                <thead><tr><th scope="col">Model</th><th scope="col">{quality}</th><th scope="col">{performance}</th><th scope="col">Pareto front</th></tr></thead>
                <tbody>{points.map((p) => <tr key={p.model}><th scope="row">{p.model}</th><td>{num(p.quality, 4)}</td><td>{num(p.performance, 2)}</td><td>{onFront.has(p.model) ? 'yes' : 'no'}</td></tr>)}</tbody>
              </table>
            </TableBox>
          </details>
          <h2>Ranked by {quality} <span className="muted small">({data.quality.direction === 'HIGHER_IS_BETTER' ? 'higher is better' : 'lower is better'})</span></h2>
          <TableBox label={`Leaderboard by ${quality}`}>
            <table className="leaderboard">
              <thead><tr><th scope="col">Rank</th><th scope="col">Model</th><th scope="col">Version</th><th scope="col">{quality}</th><th scope="col">{performance}</th><th scope="col">Provenance</th><th scope="col">Pareto</th></tr></thead>
              <tbody>
                {data.quality.entries.map((e) => (
                  <tr key={e.model.id}>
                    <td>{e.rank}</td>
                    <th scope="row"><Link to={modelHref(e.model.name, { tab: 'evidence' })}>{e.model.name}</Link></th>
                    <td>{e.version.version}</td>
                    <td>{num(e.value, 4)}</td>
                    <td>{num(performanceOf.get(e.model.id), 2)}</td>
                    <td>{e.provenance}</td>
                    <td>{onFront.has(e.model.name) ? '★ front' : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableBox>
          {data.quality.pageInfo.hasNextPage ? <p className="muted small">The first 100 models are shown.</p> : null}
        </>
      ) : null}
    </>
  );
}
