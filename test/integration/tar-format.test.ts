import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { padding, TAR_END, tarEntryHeader, tarSize } from '../../src/domain/files/tar-format';

// Our own tar writer (folder downloads stream without a temporary copy) against the system's GNU tar.
describe('tar', () => {
  it('writes archives GNU tar reads, long names and empty folders included', () => {
    const long = `${'deep/'.repeat(30)}weights.bin`;
    const entries = [
      { path: 'empty', size: 0, kind: 'directory' as const, body: Buffer.alloc(0) },
      { path: 'config.json', size: 2, kind: 'file' as const, body: Buffer.from('{}') },
      { path: long, size: 700, kind: 'file' as const, body: Buffer.alloc(700, 7) },
    ];
    const parts = entries.flatMap((e) => [tarEntryHeader(e.path, e.size, e.kind, 1_700_000_000), e.body, padding(e.size)]);
    const archive = Buffer.concat([...parts, TAR_END]);
    expect(archive.length).toBe(tarSize(entries));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tar-test-'));
    writeFileSync(path.join(dir, 'a.tar'), archive);
    expect(execFileSync('tar', ['-tf', path.join(dir, 'a.tar')]).toString().trim().split('\n')).toEqual(['empty/', 'config.json', long]);
    execFileSync('tar', ['-xf', path.join(dir, 'a.tar'), '-C', dir]);
    expect(readFileSync(path.join(dir, long))).toEqual(Buffer.alloc(700, 7));
  });
});

