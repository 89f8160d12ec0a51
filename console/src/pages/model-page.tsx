import { useCallback } from 'react';
import { useQuery } from 'urql';
import { ErrorNote, Loading, Stage } from '../components/bits';
import { Link } from '../components/link';
import { OPERATION_FIELDS } from '../components/live-operation';
import { params as formatParams } from '../lib/format';
import { modelHref, navigate } from '../lib/router';
import { ModelEvidence } from '../model/model-evidence';
import { ModelGovernance } from '../model/model-governance';
import { ModelHistory } from '../model/model-history';
import { ModelLive } from '../model/model-live';
import { ModelOverview } from '../model/model-overview';
import { ModelScans } from '../model/model-scans';
import type { ModelDetail } from '../model/model-types';
import { ModelFiles, ModelVersions } from '../model/model-versions';

const MODEL = `query ModelPage($name: String!) {
  modelByName(name: $name) {
    id name displayName description architecture parameterCount contextLength status project tags sourceType sourceUri owner createdAt createdBy
    license { id name url category commercialUse derivatives attributionRequired monthlyActiveUsersLimit notes }
    licenseRestrictions { commercialUse derivatives attributionRequired monthlyActiveUsersLimit notes }
    requirements { minGpuMemoryGb recommendedGpu recommendedGpuCount }
    defaultVersion { id version }
    aliases { name versionId protected }
    versions(first: 50) { id version status statusReason aliases createdAt createdBy filesComplete sourceRevision downloadCount }
    operations(first: 10) { ${OPERATION_FIELDS} createdAt }
  }
}`;

const TABS: [string, string][] = [
  ['overview', 'Overview'],
  ['versions', 'Versions'],
  ['files', 'Files'],
  ['scans', 'Scans'],
  ['evidence', 'Evaluations & benchmarks'],
  ['governance', 'Governance'],
  ['history', 'History & audit'],
];

export function ModelPage({ name, params }: { name: string; params: URLSearchParams }) {
  const [result, reexecute] = useQuery<{ modelByName: ModelDetail }>({ query: MODEL, variables: { name } });
  const refresh = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  const model = result.data?.modelByName;
  if (!model) return result.error ? <ErrorNote error={result.error} what={`Model ${name}`} /> : <Loading what="Loading the model" />;

  const tab = TABS.some(([id]) => id === params.get('tab')) ? (params.get('tab') as string) : 'overview';
  const wanted = params.get('version');
  const version = model.versions.find((v) => v.version === wanted) ?? model.versions.find((v) => v.id === model.defaultVersion?.id) ?? model.versions[0] ?? null;
  const link = (next: Record<string, string | undefined>) => modelHref(model.name, { tab, version: version?.version, ...next });
  const props = { model, version, refresh };

  return (
    <>
      <header className="model-head">
        <h1>
          {model.displayName ?? model.name} <Stage value={model.status} />
        </h1>
        <p className="muted">
          {model.name} · project {model.project ?? 'default'} · {model.architecture ?? 'architecture unknown'} · {formatParams(model.parameterCount)} parameters · license {model.license?.id ?? 'none'}
        </p>
        {model.description ? <p>{model.description}</p> : null}
        {model.tags.length ? <div className="tags">{model.tags.map((tag) => <span className="tag" key={tag}>{tag}</span>)}</div> : null}
      </header>
      <ErrorNote error={result.error} what="Refreshing" />
      <ModelLive model={model} params={params} refresh={refresh} />
      <div className="version-pick">
        <label htmlFor="version-select">Version</label>
        <select id="version-select" value={version?.version ?? ''} onChange={(event) => navigate(link({ version: event.target.value }), true)}>
            {model.versions.map((v) => (
              <option key={v.id} value={v.version}>
                {v.version} — {v.status}
                {v.aliases.length ? ` (${v.aliases.join(', ')})` : ''}
              </option>
            ))}
        </select>
        {version ? <Stage value={version.status} /> : <span className="muted">no versions yet</span>}
      </div>
      <nav className="tabs" aria-label="Model sections">
        {TABS.map(([id, label]) => (
          <Link key={id} to={link({ tab: id })} aria-current={tab === id ? 'page' : undefined}>
            {label}
          </Link>
        ))}
      </nav>
      <section className="tab-body" aria-label={TABS.find(([id]) => id === tab)?.[1]}>
        {tab === 'overview' ? <ModelOverview {...props} /> : null}
        {tab === 'versions' ? <ModelVersions {...props} /> : null}
        {tab === 'files' ? <ModelFiles {...props} /> : null}
        {tab === 'scans' ? <ModelScans {...props} /> : null}
        {tab === 'evidence' ? <ModelEvidence {...props} /> : null}
        {tab === 'governance' ? <ModelGovernance {...props} /> : null}
        {tab === 'history' ? <ModelHistory {...props} /> : null}
      </section>
    </>
  );
}
