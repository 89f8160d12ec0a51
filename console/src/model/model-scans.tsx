import { useMutation, useQuery } from 'urql';
import { ErrorNote, Loading, TableBox } from '../components/bits';
import { bytes, when } from '../lib/format';
import { navigate, modelHref } from '../lib/router';
import { holds } from '../lib/session';
import { useSession } from '../lib/session-context';
import type { ModelTabProps } from './model-types';

const SCANS = `query Scans($id: ID!) {
  version(id: $id) { id scans(first: 10) {
    id status scanner scannerVersion rulesVersion signatureVersion criticalCount highCount mediumCount lowCount filesScanned filesCached bytesScanned startedAt completedAt
    findings { path scanner rule global severity offset message }
    files { path status clamav cached size }
  } }
}`;
const RESCAN = 'mutation Rescan($versionId: ID!) { scanVersion(versionId: $versionId) { id status } }';

interface Finding { path: string; scanner: string; rule: string; global: string | null; severity: string; offset: string | number | null; message: string }
interface Scan {
  id: string; status: string; scanner: string; scannerVersion: string | null; rulesVersion: string | null; signatureVersion: string | null;
  criticalCount: number; highCount: number; mediumCount: number; lowCount: number; filesScanned: number; filesCached: number; bytesScanned: string | number;
  startedAt: string; completedAt: string | null; findings: Finding[]; files: { path: string; status: string; clamav: string | null; cached: boolean; size: string | number }[];
}

/** Every scan of the version, newest first, with each finding (file, rule, global, offset) and the per-file verdicts. */
export function ModelScans({ model, version }: ModelTabProps) {
  const { identity } = useSession();
  const [result] = useQuery<{ version: { scans: Scan[] } }>({ query: SCANS, variables: { id: version?.id }, pause: !version });
  const [rescan, startRescan] = useMutation<{ scanVersion: { id: string } }>(RESCAN);
  if (!version) return <p className="muted">No version yet.</p>;
  const scans = result.data?.version.scans;
  const start = async () => {
    const answer = await startRescan({ versionId: version.id });
    if (answer.data) navigate(modelHref(model.name, { tab: 'scans', version: version.version, operation: answer.data.scanVersion.id }), true);
  };
  return (
    <>
      <h2>Scans of {version.version}</h2>
      {holds(identity, 'editor', model.project) ? (
        <p>
          <button type="button" onClick={start} disabled={rescan.fetching}>Scan this version again</button> <span className="muted small">progress shows under Live above</span>
        </p>
      ) : null}
      <ErrorNote error={rescan.error} what="Rescan" />
      <ErrorNote error={result.error} what="Scans" />
      {!scans ? <Loading what="Loading scans" /> : scans.length === 0 ? <p className="muted">Not scanned yet.</p> : null}
      {scans?.map((scan) => (
        <article key={scan.id} className="scan" aria-label={`Scan of ${when(scan.startedAt)}`}>
          <h3>
            <span className={`badge scan-${scan.status.toLowerCase()}`}>{scan.status}</span> {when(scan.startedAt)}
          </h3>
          <p className="muted small">
            {scan.filesScanned} {scan.filesScanned === 1 ? 'file' : 'files'} ({scan.filesCached} from cache), {bytes(scan.bytesScanned)} · rules {scan.rulesVersion ?? '—'} · ClamAV {scan.signatureVersion ?? 'not configured'} · critical {scan.criticalCount}, high {scan.highCount}, medium {scan.mediumCount}, low {scan.lowCount}
          </p>
          {scan.findings.length ? (
            <TableBox label="Findings">
              <table>
                <thead><tr><th scope="col">File</th><th scope="col">Severity</th><th scope="col">Scanner</th><th scope="col">Rule</th><th scope="col">Global</th><th scope="col">Offset</th><th scope="col">Message</th></tr></thead>
                <tbody>
                  {scan.findings.map((f, i) => (
                    <tr key={i}><td>{f.path}</td><td>{f.severity}</td><td>{f.scanner}</td><td><code>{f.rule}</code></td><td>{f.global ?? '—'}</td><td>{f.offset ?? '—'}</td><td>{f.message}</td></tr>
                  ))}
                </tbody>
              </table>
            </TableBox>
          ) : <p>No findings.</p>}
          <details>
            <summary>Per file ({scan.files.length})</summary>
            <ul>{scan.files.map((file) => <li key={file.path}>{file.path} — {file.status}, ClamAV {file.clamav ?? '—'}{file.cached ? ', cached' : ''}</li>)}</ul>
          </details>
        </article>
      ))}
    </>
  );
}
