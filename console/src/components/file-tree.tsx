import { useState } from 'react';
import { useQuery } from 'urql';
import { downloadUrl, fetchFile } from '../lib/client';
import { bytes } from '../lib/format';
import { useSession } from '../lib/session-context';
import { ErrorNote, Loading } from './bits';

interface Entry {
  type: 'FILE' | 'DIRECTORY';
  path: string;
  name: string;
  size: string | number;
  fileCount: number;
  sha256: string | null;
  format: string | null;
}

const TREE = `query Tree($id: ID!, $path: String, $after: String) {
  version(id: $id) { id tree(path: $path, recursive: false, first: 200, after: $after) { totalCount hasNextPage endCursor entries { type path name size fileCount sha256 format } } }
}`;

/** Links cannot carry the bearer token, so a download is fetched with it and handed to the browser as a file. */
async function save(token: string, versionId: string, path: string): Promise<void> {
  const response = await fetchFile(token, versionId, path);
  if (!response.ok) throw new Error(`download answered ${response.status}`);
  const url = URL.createObjectURL(await response.blob());
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = path.split('/').pop() ?? 'file';
  anchor.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function Folder({ versionId, path, depth }: { versionId: string; path: string | null; depth: number }) {
  const { token } = useSession();
  const [after, setAfter] = useState<string | null>(null);
  const [result] = useQuery<{ version: { tree: { totalCount: number; hasNextPage: boolean; endCursor: string | null; entries: Entry[] } } }>({
    query: TREE,
    variables: { id: versionId, path, after },
  });
  const [open, setOpen] = useState<Record<string, boolean>>({});
  const [failure, setFailure] = useState<string | null>(null);
  if (result.fetching && !result.data) return <Loading what="Reading the folder" />;
  if (result.error) return <ErrorNote error={result.error} what="Files" />;
  const page = result.data?.version.tree;
  if (!page) return null;
  return (
    <ul className="tree" role={depth === 0 ? 'tree' : 'group'} aria-label={depth === 0 ? 'Files of this version' : undefined}>
      {failure ? <li className="error">{failure}</li> : null}
      {page.entries.map((entry) => (
        <li key={entry.path} role="treeitem" aria-expanded={entry.type === 'DIRECTORY' ? Boolean(open[entry.path]) : undefined} aria-selected={false}>
          {entry.type === 'DIRECTORY' ? (
            <>
              <button type="button" className="link-button" aria-label={`${open[entry.path] ? 'Close' : 'Open'} folder ${entry.path}`} onClick={() => setOpen({ ...open, [entry.path]: !open[entry.path] })}>
                {open[entry.path] ? '▾' : '▸'} {entry.name}/
              </button>{' '}
              <span className="muted">
                {bytes(entry.size)} · {entry.fileCount} {entry.fileCount === 1 ? 'file' : 'files'}
              </span>
              {open[entry.path] ? <Folder versionId={versionId} path={entry.path} depth={depth + 1} /> : null}
            </>
          ) : (
            <>
              <span className="file-name">{entry.name}</span> <span className="muted">{bytes(entry.size)}</span> {entry.format ? <span className="badge">{entry.format}</span> : null}{' '}
              <a
                href={downloadUrl(versionId, entry.path)}
                aria-label={`Download ${entry.path}`}
                onClick={(event) => {
                  event.preventDefault();
                  save(token, versionId, entry.path).catch((error: Error) => setFailure(`${entry.path}: ${error.message}`));
                }}
              >
                download
              </a>
              {entry.sha256 ? <code className="sha" title={`sha256 ${entry.sha256}`}>{entry.sha256.slice(0, 12)}</code> : null}
            </>
          )}
        </li>
      ))}
      {page.hasNextPage ? (
        <li>
          <button type="button" onClick={() => setAfter(page.endCursor)}>
            Next page of files in {path ?? 'this version'}
          </button>
        </li>
      ) : null}
    </ul>
  );
}

export function FileTree({ versionId }: { versionId: string }) {
  return <Folder versionId={versionId} path={null} depth={0} />;
}
