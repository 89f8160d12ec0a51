import { createHash } from 'node:crypto';
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { ValidationError } from '../domain/common/domain-error';
import { parseHubDataset } from '../domain/evaluation/hub-dataset-ref';
import { fetchHubDataset, type HubAccess } from './hub-dataset';

const MAX_DATASET_BYTES = 64 * 1024 * 1024;

export interface Dataset {
  rows: Record<string, unknown>[];
  /**
   * First 16 hex digits of the file's sha256 (a hub dataset: `<commit 12>:<sha256 16>`): results name exactly
   * what they were scored on.
   */
  version: string;
  /** The spec that reads these same bytes again: a hub reference pinned to the commit it resolved to. */
  pinned: string;
}

/** Where task datasets come from: a folder on the worker, or Hugging Face dataset repositories (hf://datasets/…). */
export interface DatasetSources {
  dir: string;
  hub: HubAccess;
  /** Hub files are kept here by commit (the hub cache layout). */
  cacheDir: string;
}

/** A task's dataset: `hf://datasets/<owner>/<name>[@<revision>]/<file>.jsonl` from the hub, else a file in the folder. */
export async function openDataset(sources: DatasetSources, spec: string, limit: number | null): Promise<Dataset> {
  const ref = parseHubDataset(spec);
  if (!ref) return { ...(await readDataset(sources.dir, spec, limit)), pinned: spec };
  const { file, commit } = await fetchHubDataset(sources.hub, spec, sources.cacheDir, MAX_DATASET_BYTES);
  // The cache's snapshot entry links into its blobs/ folder: read it as a file inside the cache.
  const dataset = await readDataset(sources.cacheDir, path.relative(path.resolve(sources.cacheDir), file), limit);
  return { ...dataset, version: `${commit.slice(0, 12)}:${dataset.version}`, pinned: `hf://datasets/${ref.repo}@${commit}/${ref.path}` };
}

/** Reads a JSONL dataset from inside `root` (symlinks out of it refused), bounded in size and rows. */
export async function readDataset(root: string, relative: string, limit: number | null): Promise<Omit<Dataset, 'pinned'>> {
  try {
    return await read(root, relative, limit);
  } catch (error) {
    // A missing or broken dataset is a verdict on the request, not a fault to retry (and its path stays unsaid).
    if (error instanceof ValidationError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    // A system error's message names the worker's absolute path (ELOOP, EACCES, EISDIR): operations are read by viewers.
    const why = code === 'ENOENT' ? "no such dataset in the worker's datasets folder (EVAL_DATASETS_DIR)" : code ? `cannot be read (${code})` : (error as Error).message.slice(0, 200);
    throw new ValidationError('dataset', `${relative}: ${why}`);
  }
}

async function read(root: string, relative: string, limit: number | null): Promise<Omit<Dataset, 'pinned'>> {
  const base = await realpath(root);
  const file = await realpath(path.join(base, relative));
  if (!file.startsWith(base + path.sep)) throw new ValidationError('dataset', `${relative}: outside the datasets folder`);
  const bytes = await readFile(file);
  if (bytes.length > MAX_DATASET_BYTES) throw new ValidationError('dataset', `${relative}: larger than ${MAX_DATASET_BYTES} bytes`);
  const rows: Record<string, unknown>[] = [];
  for (const [i, line] of bytes.toString('utf8').split('\n').entries()) {
    if (!line.trim()) continue;
    const row: unknown = JSON.parse(line);
    if (!row || typeof row !== 'object' || Array.isArray(row)) throw new ValidationError('dataset', `${relative}:${i + 1}: not a JSON object`);
    rows.push(row as Record<string, unknown>);
    if (limit !== null && rows.length >= limit) break;
  }
  return { rows, version: createHash('sha256').update(bytes).digest('hex').slice(0, 16) };
}
