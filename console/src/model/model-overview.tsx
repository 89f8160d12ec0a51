import { type FormEvent, useEffect, useState } from 'react';
import { useQuery } from 'urql';
import { ErrorNote, Facts, Loading } from '../components/bits';
import { Markdown } from '../components/markdown';
import { fetchFile } from '../lib/client';
import { params as formatParams } from '../lib/format';
import { useSession } from '../lib/session-context';
import type { ModelTabProps } from './model-types';

const VERSION = `query VersionOverview($id: ID!) {
  version(id: $id) { id status statusReason sourceRevision
    verifiedMetadata { architecture modelType parameterCount contextLength dtypes torchDtype quantization license tags pipelineTag baseModel }
    metadataMismatches { field declared verified } }
}`;

const CHECK = `query LicenseCheck($modelId: ID!, $versionId: ID!, $usage: LicenseUsageInput) {
  checkLicense(modelId: $modelId, versionId: $versionId, usage: $usage) { outcome licenseId acknowledged reasons { code severity message } }
}`;

interface Metadata {
  architecture: string | null;
  modelType: string | null;
  parameterCount: string | number | null;
  contextLength: number | null;
  dtypes: Record<string, unknown>;
  torchDtype: string | null;
  quantization: string | null;
  license: string | null;
  pipelineTag: string | null;
  baseModel: string | null;
}

type Card = { state: 'loading' } | { state: 'none' } | { state: 'error'; text: string } | { state: 'ok'; text: string };

/** The model card: README.md of the version, read through the download route with the signed-in token. */
function ModelCard({ versionId }: { versionId: string }) {
  const { token } = useSession();
  const [card, setCard] = useState<Card>({ state: 'loading' });
  useEffect(() => {
    let live = true;
    setCard({ state: 'loading' });
    fetchFile(token, versionId, 'README.md')
      .then(async (response) => {
        const next: Card = response.ok ? { state: 'ok', text: await response.text() } : response.status === 404 ? { state: 'none' } : { state: 'error', text: `README.md answered ${response.status}` };
        if (live) setCard(next);
      })
      .catch((error: Error) => live && setCard({ state: 'error', text: error.message }));
    return () => {
      live = false;
    };
  }, [token, versionId]);
  if (card.state === 'loading') return <Loading what="Reading the model card" />;
  if (card.state === 'none') return <p className="muted">This version has no README.md (or its files are not readable yet).</p>;
  if (card.state === 'error') return <p className="error">{card.text}</p>;
  return <Markdown source={card.text} />;
}

function LicenseCheckForm({ modelId, versionId }: { modelId: string; versionId: string }) {
  const [usage, setUsage] = useState<Record<string, unknown> | null>(null);
  const [result] = useQuery<{ checkLicense: { outcome: string; acknowledged: boolean; reasons: { code: string; severity: string; message: string }[] } }>({
    query: CHECK,
    variables: { modelId, versionId, usage },
    pause: usage === null,
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setUsage({
      commercial: form.get('commercial') === 'on',
      derivatives: form.get('derivatives') === 'on',
      apiOnly: form.get('apiOnly') === 'on',
      distribution: form.get('distribution') === 'on',
      monthlyActiveUsers: String(Number(form.get('mau') || 0)),
    });
  };
  const check = result.data?.checkLicense;
  return (
    <form className="license-check" onSubmit={submit} aria-label="License check for a use">
      <fieldset>
        <legend>Check the license for a use</legend>
        <label className="check"><input type="checkbox" name="commercial" defaultChecked /> Commercial use</label>
        <label className="check"><input type="checkbox" name="derivatives" /> Derivatives (fine-tunes)</label>
        <label className="check"><input type="checkbox" name="apiOnly" /> Through an API only</label>
        <label className="check"><input type="checkbox" name="distribution" /> Distributed to others</label>
        <label>
          Monthly active users
          <input name="mau" type="number" min={0} defaultValue={0} />
        </label>
        <button type="submit">Check</button>
      </fieldset>
      <ErrorNote error={result.error} what="License check" />
      {check ? (
        <div role="status">
          <p>
            <span className={`badge outcome-${check.outcome.toLowerCase()}`}>{check.outcome}</span> {check.acknowledged ? 'acknowledged for this use' : 'not acknowledged for this use'}
          </p>
          <ul>{check.reasons.map((reason) => <li key={reason.code}><strong>{reason.severity}</strong> {reason.message}</li>)}</ul>
        </div>
      ) : null}
    </form>
  );
}

export function ModelOverview({ model, version }: ModelTabProps) {
  const [result] = useQuery<{ version: { statusReason: string | null; sourceRevision: string | null; verifiedMetadata: Metadata | null; metadataMismatches: { field: string; declared: string; verified: string }[] } }>({
    query: VERSION,
    variables: { id: version?.id },
    pause: !version,
  });
  const meta = result.data?.version.verifiedMetadata;
  const license = model.license;
  const restrictions = model.licenseRestrictions;
  const yesNo = (value: boolean | null | undefined) => (value === null || value === undefined ? '—' : value ? 'yes' : 'no');
  return (
    <div className="overview">
      <article className="card" aria-label="Model card">
        <h2>Model card</h2>
        {version ? <ModelCard versionId={version.id} /> : <p className="muted">No version yet.</p>}
      </article>
      <aside className="side">
        <h2>Verified metadata</h2>
        <ErrorNote error={result.error} what="Metadata" />
        {version?.statusReason ? <p className="warn">{version.statusReason}</p> : null}
        <Facts
          rows={[
            ['Architecture', meta?.architecture ?? model.architecture],
            ['Model type', meta?.modelType],
            ['Parameters', meta?.parameterCount ? formatParams(meta.parameterCount) : null],
            ['Context length', meta?.contextLength ?? model.contextLength],
            ['Dtype', meta?.torchDtype ?? (meta?.dtypes ? Object.keys(meta.dtypes).join(', ') || null : null)],
            ['Quantization', meta?.quantization],
            ['Pipeline', meta?.pipelineTag],
            ['Base model', meta?.baseModel],
            ['Source revision', result.data?.version.sourceRevision ? <code>{result.data.version.sourceRevision.slice(0, 12)}</code> : null],
            ['Hardware estimate', model.requirements?.minGpuMemoryGb ? `${model.requirements.minGpuMemoryGb} GB GPU memory · ${model.requirements.recommendedGpuCount ?? 1}× ${model.requirements.recommendedGpu ?? 'GPU'}` : null],
          ]}
        />
        {result.data?.version.metadataMismatches.length ? (
          <>
            <h3>Declared vs. verified</h3>
            <ul>{result.data.version.metadataMismatches.map((m) => <li key={m.field}>{m.field}: declared {m.declared}, files say {m.verified}</li>)}</ul>
          </>
        ) : null}
        <h2>License</h2>
        {license ? (
          <Facts
            rows={[
              ['License', license.url ? <a href={license.url} target="_blank" rel="noopener noreferrer">{license.name}</a> : license.name],
              ['Category', license.category],
              ['Commercial use', yesNo(restrictions?.commercialUse ?? license.commercialUse)],
              ['Derivatives', yesNo(restrictions?.derivatives ?? license.derivatives)],
              ['Attribution', yesNo(restrictions?.attributionRequired ?? license.attributionRequired)],
              ['MAU limit', restrictions?.monthlyActiveUsersLimit ?? license.monthlyActiveUsersLimit ?? 'none'],
              ['Notes', restrictions?.notes ?? license.notes],
            ]}
          />
        ) : (
          <p className="muted">No license recorded: the version cannot be published until one is.</p>
        )}
        {version && license ? <LicenseCheckForm modelId={model.id} versionId={version.id} /> : null}
      </aside>
    </div>
  );
}
