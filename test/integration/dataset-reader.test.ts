import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ValidationError } from '../../src/domain/common/domain-error';
import { readDataset } from '../../src/evaluation/dataset-reader';

describe('evaluation datasets in the datasets folder, read from real files', () => {
  let root: string;
  let dir: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'modelhub-datasets-'));
    dir = path.join(root, 'datasets');
    await mkdir(dir);
    await writeFile(path.join(root, 'secret.jsonl'), '{"question":"outside","answer":"x"}\n');
    await symlink(path.join(root, 'secret.jsonl'), path.join(dir, 'escape.jsonl'));
    await symlink(path.join(dir, 'loop-b.jsonl'), path.join(dir, 'loop-a.jsonl'));
    await symlink(path.join(dir, 'loop-a.jsonl'), path.join(dir, 'loop-b.jsonl'));
    await mkdir(path.join(dir, 'folder.jsonl'));
    await writeFile(path.join(dir, 'broken.jsonl'), '{"a":1}\n{not json\n');
    await writeFile(path.join(dir, 'array.jsonl'), '[1,2]\n');
    // A million lines: only the rows asked for are parsed and kept.
    await writeFile(path.join(dir, 'million.jsonl'), '{"q":"x","a":"y"}\n'.repeat(1_000_000));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  const refusal = async (file: string) => {
    const error = await readDataset(dir, file, null).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  };

  it('refuses symlinks out of the folder, loops, folders and malformed rows without naming the worker path', async () => {
    expect(await refusal('escape.jsonl')).toMatch(/escape.jsonl: outside the datasets folder/);
    expect(await refusal('loop-a.jsonl')).toMatch(/loop-a.jsonl: cannot be read \(ELOOP\)/);
    expect(await refusal('folder.jsonl')).toMatch(/folder.jsonl: cannot be read \(EISDIR\)/);
    expect(await refusal('broken.jsonl')).toMatch(/broken.jsonl: .*JSON/);
    expect(await refusal('array.jsonl')).toMatch(/array.jsonl:1: not a JSON object/);
    for (const file of ['escape.jsonl', 'loop-a.jsonl', 'folder.jsonl']) expect(await refusal(file)).not.toContain(root);
  });

  it('reads a million-line file only up to the limit', async () => {
    const started = Date.now();
    const { rows } = await readDataset(dir, 'million.jsonl', 100);
    expect(rows).toHaveLength(100);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
