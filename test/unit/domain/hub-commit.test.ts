import { Readable } from 'node:stream';
import { ConflictError, NotFoundError, ValidationError } from '../../../src/domain/common/domain-error';
import { applyCommit, parseCommitHeader, parseCommitOperation, uploadModeOf } from '../../../src/domain/files/hub-commit';
import { ndjsonLines } from '../../../src/http/hf/ndjson-lines';

const line = (key: string, value: unknown) => JSON.stringify({ key, value });
const blob = (sha: string) => ({ sha256: sha.repeat(64), size: 1, format: 'OTHER' });

describe('the hub commit protocol', () => {
  test('the header comes first and says what it is', () => {
    expect(parseCommitHeader(line('header', { summary: ' Add weights ', description: 'why' }))).toEqual({ summary: 'Add weights', description: 'why', parentCommit: null });
    expect(() => parseCommitHeader(line('file', { path: 'a' }))).toThrow(/line 1 must be the commit header/);
    expect(() => parseCommitHeader('{')).toThrow('body: line 1 is not JSON');
    expect(() => parseCommitHeader(line('header', { summary: 's', parentCommit: 'abc' }))).toThrow(/40-hex/);
  });

  test('operations: base64 files, sha256 LFS objects, deletions; anything else is refused by line', () => {
    expect(parseCommitOperation(line('file', { path: 'a/b.txt', content: 'aGk=', encoding: 'base64' }), 2)).toEqual({ key: 'file', path: 'a/b.txt', content: Buffer.from('hi') });
    expect(parseCommitOperation(line('lfsFile', { path: 'w.bin', algo: 'sha256', oid: 'A'.repeat(64), size: 3 }), 3)).toEqual({ key: 'lfsFile', path: 'w.bin', oid: 'a'.repeat(64), size: 3 });
    expect(parseCommitOperation(line('deletedFolder', { path: 'tok/' }), 4)).toEqual({ key: 'deletedFolder', path: 'tok' });
    expect(() => parseCommitOperation(line('file', { path: 'a', content: 'not base64!' }), 5)).toThrow('body: line 5: "content" is not base64');
    expect(() => parseCommitOperation(line('lfsFile', { path: 'a', oid: 'x' }), 6)).toThrow(/line 6: "oid" must be 64 hex/);
    expect(() => parseCommitOperation(line('file', { path: '../etc/passwd', content: '' }), 7)).toThrow(ValidationError);
    expect(() => parseCommitOperation(line('copy', { path: 'a' }), 8)).toThrow(/line 8: unknown operation "copy"/);
  });

  test('a commit applies in order over the files it starts from', () => {
    const before = new Map([['a.txt', blob('1')], ['tok/x.json', blob('2')], ['tok/y.json', blob('3')]]);
    const result = applyCommit(before, [
      { key: 'put', path: 'a.txt', blob: blob('4') },
      { key: 'deletedFolder', path: 'tok' },
      { key: 'put', path: 'b.txt', blob: blob('5') },
    ]);
    expect([...result.files.keys()].sort()).toEqual(['a.txt', 'b.txt']);
    expect(result.put.map((p) => [p.path, p.replaced])).toEqual([['a.txt', true], ['b.txt', false]]);
    expect(result.removed.map((r) => r.path)).toEqual(['tok/x.json', 'tok/y.json']);
    expect(applyCommit(before, [{ key: 'put', path: 'a.txt', blob: blob('1') }]).put).toEqual([]);
    expect(() => applyCommit(before, [{ key: 'deletedFile', path: 'nope' }])).toThrow(NotFoundError);
    expect(() => applyCommit(before, [{ key: 'put', path: 'a.txt/inner', blob: blob('6') }])).toThrow(ConflictError);
  });

  test('upload modes follow the hub: big, binary or weights go through LFS', () => {
    expect(uploadModeOf('config.json', 100, Buffer.from('{"a":1}'))).toBe('regular');
    expect(uploadModeOf('notes.txt', 11 * 1024 * 1024, Buffer.from('text'))).toBe('lfs');
    expect(uploadModeOf('blob', 10, Buffer.from([1, 0, 2]))).toBe('lfs');
    expect(uploadModeOf('model.SafeTensors', 10, Buffer.from('{'))).toBe('lfs');
  });

  test('ndjson lines stream with a bound on a line, whatever the chunking', async () => {
    const lines = async (chunks: string[], max = 100) => {
      const out: string[] = [];
      for await (const l of ndjsonLines(Readable.from(chunks.map((c) => Buffer.from(c))), max)) out.push(l);
      return out;
    };
    expect(await lines(['{"a"', ':1}\n\n{"b":2}', '\n{"c":3}'])).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
    await expect(lines(['x'.repeat(60), 'y'.repeat(60), '\n'])).rejects.toThrow(/longer than 100 bytes/);
  });
});
