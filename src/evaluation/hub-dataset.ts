import path from 'node:path';
import { datasetInfo, downloadFileToCacheDir, HubApiError, pathsInfo } from '@huggingface/hub';
import { ValidationError } from '../domain/common/domain-error';
import { type HubDatasetRef, parseHubDataset } from '../domain/evaluation/hub-dataset-ref';

export interface HubAccess {
  endpoint: string;
  token: string | null;
}

export interface FetchedHubDataset {
  /** The file inside the hub cache (the layout of the hub's own clients: snapshots/<commit>/<path>). */
  file: string;
  /** The commit the revision pointed at: results name exactly what they were scored on. */
  commit: string;
}

const COMMIT_SHA = /^[0-9a-f]{40}$/;

/**
 * Fetches a JSONL file of a Hugging Face dataset repository into `cacheDir`: the revision is resolved to its
 * commit once, the file's size checked against `maxBytes` before a byte is downloaded, and the file kept in the
 * hub cache layout by commit, so a second run at the same commit reads it from disk. A missing repository,
 * revision or file, or one too large, is the request's fault (ValidationError); network faults are retried by the
 * activity.
 */
export async function fetchHubDataset(hub: HubAccess, spec: string, cacheDir: string, maxBytes: number): Promise<FetchedHubDataset> {
  const ref = parseHubDataset(spec);
  if (!ref) throw new ValidationError('dataset', `${spec}: not an hf://datasets/<owner>/<name>[@<revision>]/<file>.jsonl reference`);
  const credentials = { hubUrl: hub.endpoint, ...(hub.token ? { accessToken: hub.token } : {}) };
  const repo = { type: 'dataset' as const, name: ref.repo };
  try {
    const commit = COMMIT_SHA.test(ref.revision) ? ref.revision : (await datasetInfo({ ...credentials, name: ref.repo, revision: ref.revision, additionalFields: ['sha'] })).sha;
    if (typeof commit !== 'string' || !COMMIT_SHA.test(commit)) throw new Error(`${hub.endpoint} did not name the commit of ${ref.repo}@${ref.revision}`);
    const [info] = await pathsInfo({ ...credentials, repo, paths: [ref.path], revision: commit });
    if (!info || info.type !== 'file') throw new ValidationError('dataset', `${spec}: no such file in the dataset at ${commit.slice(0, 12)}`);
    const size = info.lfs?.size ?? info.size;
    if (size > maxBytes) throw new ValidationError('dataset', `${spec}: ${size} bytes, larger than ${maxBytes}`);
    const file = await downloadFileToCacheDir({ ...credentials, repo, path: ref.path, revision: commit, cacheDir: path.resolve(cacheDir) });
    return { file, commit };
  } catch (error) {
    throw explain(spec, ref, error);
  }
}

function explain(spec: string, ref: HubDatasetRef, error: unknown): unknown {
  if (!(error instanceof HubApiError)) return error;
  if (error.statusCode === 401 || error.statusCode === 403) {
    return new ValidationError('dataset', `${spec}: the hub refused access to ${ref.repo} (gated or private; the worker's HF_TOKEN must be allowed)`);
  }
  if (error.statusCode === 404) return new ValidationError('dataset', `${spec}: the hub has no ${ref.repo} at ${ref.revision}`);
  return error;
}
