import { type FormEvent, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { ErrorNote, Loading } from '../components/bits';
import { PromotionCard, type PromotionRequest, REQUEST_FIELDS } from '../components/promotion-card';
import { holds } from '../lib/session';
import { useSession } from '../lib/session-context';
import type { ModelTabProps } from './model-types';

const REQUESTS = `query VersionRequests($id: ID!) { version(id: $id) { id promotionRequests(first: 20) { ${REQUEST_FIELDS} } } }`;
const REQUEST = `mutation RequestPromotion($versionId: ID!, $target: LifecycleStage!, $justification: String!, $usage: LicenseUsageInput) {
  requestPromotion(versionId: $versionId, target: $target, justification: $justification, usage: $usage) { id state }
}`;
const ACKNOWLEDGE = 'mutation Acknowledge($versionId: ID!, $usage: LicenseUsageInput) { acknowledgeLicense(versionId: $versionId, usage: $usage) { id textHash acknowledgedBy } }';

function usageOf(form: FormData): Record<string, unknown> {
  return {
    commercial: form.get('commercial') === 'on',
    derivatives: form.get('derivatives') === 'on',
    apiOnly: form.get('apiOnly') === 'on',
    distribution: form.get('distribution') === 'on',
    monthlyActiveUsers: String(Number(form.get('mau') || 0)),
  };
}

/** The version's promotion requests, and for editors the request form (with the license acknowledgment it may need). */
export function ModelGovernance({ model, version, refresh }: ModelTabProps) {
  const { identity } = useSession();
  const [result, reload] = useQuery<{ version: { promotionRequests: PromotionRequest[] } }>({ query: REQUESTS, variables: { id: version?.id }, pause: !version });
  const [asked, ask] = useMutation<{ requestPromotion: { id: string; state: string } }>(REQUEST);
  const [acked, acknowledge] = useMutation<{ acknowledgeLicense: { textHash: string } }>(ACKNOWLEDGE);
  const [notice, setNotice] = useState<string | null>(null);
  if (!version) return <p className="muted">No version yet.</p>;
  const isEditor = holds(identity, 'editor', model.project);
  const isApprover = holds(identity, 'approver', model.project);
  const after = () => {
    reload({ requestPolicy: 'network-only' });
    refresh();
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
    const form = new FormData(event.currentTarget);
    setNotice(null);
    if (submitter?.value === 'acknowledge') {
      const answer = await acknowledge({ versionId: version.id, usage: usageOf(form) });
      if (answer.data) setNotice(`License acknowledged for this use (terms ${answer.data.acknowledgeLicense.textHash.slice(0, 12)}).`);
      return;
    }
    const answer = await ask({ versionId: version.id, target: String(form.get('target')), justification: String(form.get('justification') ?? ''), usage: usageOf(form) });
    if (answer.data) {
      setNotice(answer.data.requestPromotion.state === 'APPROVED' ? 'Applied at once: this target needs no approvals.' : 'Requested: it waits in the approvers’ queue.');
      after();
    }
  };

  return (
    <>
      <h2>Promotion requests for {version.version}</h2>
      <ErrorNote error={result.error} what="Requests" />
      {!result.data ? <Loading what="Loading requests" /> : result.data.version.promotionRequests.length === 0 ? <p className="muted">None yet.</p> : null}
      {result.data?.version.promotionRequests.map((request) => <PromotionCard key={request.id} request={request} canDecide={isApprover} onDecided={after} />)}
      {isEditor ? (
        <form className="request-form" onSubmit={submit} aria-label="Request a promotion">
          <h2>Request a promotion</h2>
          <label>
            Target stage
            <select name="target" defaultValue={version.status === 'EVALUATED' ? 'PUBLISHED' : 'EVALUATED'}>
              <option value="EVALUATED">EVALUATED</option>
              <option value="PUBLISHED">PUBLISHED</option>
            </select>
          </label>
          <label>
            Justification
            <textarea name="justification" rows={2} required placeholder="What it is for, and why it is ready" />
          </label>
          <fieldset>
            <legend>Intended use (checked against the license)</legend>
            <label className="check"><input type="checkbox" name="commercial" defaultChecked /> Commercial use</label>
            <label className="check"><input type="checkbox" name="derivatives" /> Derivatives</label>
            <label className="check"><input type="checkbox" name="apiOnly" /> Through an API only</label>
            <label className="check"><input type="checkbox" name="distribution" /> Distributed to others</label>
            <label>
              Monthly active users
              <input name="mau" type="number" min={0} defaultValue={0} />
            </label>
          </fieldset>
          <div className="actions">
            <button type="submit" value="acknowledge" formNoValidate>Acknowledge the license for this use</button>
            <button type="submit" value="request" disabled={asked.fetching}>Request promotion</button>
          </div>
          {notice ? <p className="ok" role="status">{notice}</p> : null}
          <ErrorNote error={asked.error} what="Request" />
          <ErrorNote error={acked.error} what="Acknowledge" />
        </form>
      ) : null}
    </>
  );
}
