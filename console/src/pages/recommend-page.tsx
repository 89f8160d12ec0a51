import { type FormEvent, useState } from 'react';
import { useQuery } from 'urql';
import { ErrorNote, Loading, TableBox } from '../components/bits';
import { Link } from '../components/link';
import { modelHref } from '../lib/router';

const RECOMMEND = `query Recommend($input: RecommendInput!) { recommendModels(input: $input) {
  candidates truncated hardwareProfile moreQualifying
  recommendations { rank label costPerMillionOutputTokensUsd throughputTokensPerSecond explanation
    version { version model { name } }
    licenseCheck { outcome licenseId }
    figures { name value unit target source provenance benchmarkId evaluationId concurrency } }
  unmeasured { label memoryEstimateGb explanation version { version model { name } } }
  exclusions { reason count message } } }`;

interface Figure {
  name: string;
  value: number;
  unit: string;
  target: number | null;
  source: 'EVIDENCE' | 'ESTIMATE' | 'DERIVED';
  provenance: string | null;
  benchmarkId: string | null;
  evaluationId: string | null;
  concurrency: number | null;
}

interface Answer {
  recommendModels: {
    candidates: number;
    truncated: boolean;
    hardwareProfile: string;
    moreQualifying: number;
    recommendations: {
      rank: number;
      label: string;
      costPerMillionOutputTokensUsd: number | null;
      throughputTokensPerSecond: number;
      explanation: string;
      version: { version: string; model: { name: string } } | null;
      licenseCheck: { outcome: string; licenseId: string | null };
      figures: Figure[];
    }[];
    unmeasured: { label: string; memoryEstimateGb: number; explanation: string; version: { version: string; model: { name: string } } | null }[];
    exclusions: { reason: string; count: number; message: string }[];
  };
}

const STAGES = ['PUBLISHED', 'EVALUATED', 'VERIFIED'] as const;

/** A number field's value, or null when left empty. */
function numberOf(form: FormData, name: string): number | null {
  const raw = String(form.get(name) ?? '').trim();
  return raw === '' ? null : Number(raw);
}

function inputFrom(form: FormData): Record<string, unknown> {
  const text = (name: string) => String(form.get(name) ?? '').trim() || null;
  const floor = numberOf(form, 'minScore');
  const stages = STAGES.filter((s) => form.get(`stage-${s}`) === 'on');
  return {
    task: text('task'),
    licenseUse: { commercial: form.get('commercial') === 'on', monthlyActiveUsers: String(numberOf(form, 'mau') ?? 0) },
    hardware: { gpuType: text('gpuType') ?? '', gpuCount: numberOf(form, 'gpuCount') ?? 1, gpuMemoryGb: numberOf(form, 'gpuMemoryGb') ?? 0, pricePerHourUsd: numberOf(form, 'price') },
    slo: { maxTtftP99Ms: numberOf(form, 'ttft'), maxTpotP99Ms: numberOf(form, 'tpot'), minThroughputTokensPerSecond: numberOf(form, 'tps'), concurrency: numberOf(form, 'concurrency') },
    minQuality: floor === null ? null : [{ benchmark: text('benchmark') ?? 'mmlu', minScore: floor }],
    contextLength: numberOf(form, 'contextLength'),
    stages: stages.length ? stages : null,
  };
}

const round = (value: number) => (Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3));

function FigureList({ figures }: { figures: Figure[] }) {
  return (
    <ul className="figures">
      {figures.map((f) => (
        <li key={f.name}>
          <strong>{f.name}</strong> {round(f.value)} {f.unit}
          {f.target !== null ? <span className="muted"> (target {round(f.target)})</span> : null}{' '}
          <span className={`badge source-${f.source.toLowerCase()}`}>{f.source === 'EVIDENCE' ? f.provenance : f.source}</span>
          {f.benchmarkId ? <code title="benchmark id"> benchmark {f.benchmarkId.slice(0, 8)}</code> : null}
          {f.evaluationId ? <code title="evaluation id"> evaluation {f.evaluationId.slice(0, 8)}</code> : null}
        </li>
      ))}
    </ul>
  );
}

/** recommendModels as a form: the use, the hardware and the targets in; ranked versions with their reasons out. */
export function RecommendPage() {
  const [input, setInput] = useState<Record<string, unknown> | null>(null);
  const [result] = useQuery<Answer>({ query: RECOMMEND, variables: { input }, pause: input === null, requestPolicy: 'network-only' });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setInput(inputFrom(new FormData(event.currentTarget)));
  };
  const answer = result.data?.recommendModels;
  return (
    <>
      <h1>Choose a model</h1>
      <form className="import-form" onSubmit={submit} aria-label="What to run">
        <label>Task (tag or pipeline)<input name="task" placeholder="chat" /></label>
        <fieldset>
          <legend>Hardware</legend>
          <label>GPU type<input name="gpuType" required placeholder="H100-80GB" /></label>
          <label>GPUs<input name="gpuCount" type="number" min={1} defaultValue={1} required /></label>
          <label>Memory per GPU (GB)<input name="gpuMemoryGb" type="number" min={0} step="any" defaultValue={80} required /></label>
          <label>Price per hour (USD)<input name="price" type="number" min={0} step="any" /></label>
        </fieldset>
        <fieldset>
          <legend>Targets</legend>
          <label>Max P99 TTFT (ms)<input name="ttft" type="number" min={0} step="any" /></label>
          <label>Max P99 TPOT (ms)<input name="tpot" type="number" min={0} step="any" /></label>
          <label>Min throughput (tokens/s)<input name="tps" type="number" min={0} step="any" /></label>
          <label>At concurrency<input name="concurrency" type="number" min={1} /></label>
          <label>Context length (tokens)<input name="contextLength" type="number" min={1} /></label>
        </fieldset>
        <fieldset>
          <legend>Quality and use</legend>
          <label>Evaluation<input name="benchmark" defaultValue="mmlu" /></label>
          <label>Min score<input name="minScore" type="number" min={0} step="any" /></label>
          <label className="check"><input type="checkbox" name="commercial" defaultChecked /> Commercial use</label>
          <label>Monthly active users<input name="mau" type="number" min={0} defaultValue={0} /></label>
        </fieldset>
        <fieldset>
          <legend>Stages</legend>
          {STAGES.map((s) => (
            <label className="check" key={s}><input type="checkbox" name={`stage-${s}`} defaultChecked={s === 'PUBLISHED'} /> {s}</label>
          ))}
        </fieldset>
        <div className="actions"><button type="submit" disabled={result.fetching}>Recommend</button></div>
        <ErrorNote error={result.error} what="Recommendation" />
      </form>
      {result.fetching ? <Loading what="Weighing the candidates" /> : null}
      {answer ? (
        <section aria-label="Recommendations">
          <p data-testid="recommend-summary">
            {answer.candidates} candidate versions weighed on {answer.hardwareProfile}; {answer.recommendations.length} recommended
            {answer.moreQualifying ? ` (${answer.moreQualifying} more qualify)` : ''}
            {answer.truncated ? ' — more candidates than are weighed at once: narrow by task or stages' : ''}.
          </p>
          {answer.recommendations.length === 0 ? <p className="muted">No version meets every constraint.</p> : null}
          <ol className="recommendations">
            {answer.recommendations.map((r) => (
              <li key={r.label} data-testid="recommendation">
                <h2>
                  #{r.rank}{' '}
                  {r.version ? <Link to={modelHref(r.version.model.name, { version: r.version.version })}>{r.label}</Link> : r.label}
                  {r.costPerMillionOutputTokensUsd !== null ? <span className="muted"> · ${round(r.costPerMillionOutputTokensUsd)} per million output tokens</span> : null}
                  <span className="muted"> · {round(r.throughputTokensPerSecond)} tokens/s · licence {r.licenseCheck.licenseId ?? 'none'} {r.licenseCheck.outcome}</span>
                </h2>
                <p className="explanation">{r.explanation}</p>
                <FigureList figures={r.figures} />
              </li>
            ))}
          </ol>
          {answer.unmeasured.length ? (
            <>
              <h2>Unmeasured on this hardware (not ranked)</h2>
              <ul data-testid="unmeasured">
                {answer.unmeasured.map((u) => (
                  <li key={u.label}><strong>{u.label}</strong> — {u.explanation}</li>
                ))}
              </ul>
            </>
          ) : null}
          {answer.exclusions.length ? (
            <>
              <h2>Left out</h2>
              <TableBox label="Why versions were left out">
                <table>
                  <thead><tr><th scope="col">Reason</th><th scope="col">Versions</th><th scope="col">Closest miss</th></tr></thead>
                  <tbody>
                    {answer.exclusions.map((e) => (
                      <tr key={e.reason} data-testid="exclusion"><td><code>{e.reason}</code></td><td>{e.count}</td><td>{e.message}</td></tr>
                    ))}
                  </tbody>
                </table>
              </TableBox>
            </>
          ) : null}
        </section>
      ) : null}
    </>
  );
}
