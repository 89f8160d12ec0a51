import { aliasName, isProtectedAlias } from '../../../src/domain/files/alias-name';
import { parseByteRange } from '../../../src/domain/files/byte-range';
import { filePath, folderPath } from '../../../src/domain/files/file-path';
import { treeEntries } from '../../../src/domain/files/file-tree';
import { commitOfVersion, versionOfCommit } from '../../../src/domain/files/hub-revision';
import { curlCommand } from '../../../src/domain/files/upload-command';

describe('file paths', () => {
  it.each(['a/b.bin', '/a/b.bin/', 'weights/model-00001-of-00002.safetensors', 'é/ü.txt'])('accepts %s', (p) => {
    expect(filePath('path', p)).toBe(p.replace(/^\/|\/$/g, ''));
  });
  it.each(['', '/', 'a/../b', './a', 'a//b', 'a\\b', 'a/\u0000b', ' a/b', `${'x'.repeat(256)}/b`])('refuses %j', (p) => {
    expect(() => filePath('path', p)).toThrow(/path/);
  });
  it.each(['model\u202Egpj.exe', 'a/\u2066b\u2069.bin', 'x\u200F.bin'])('refuses the bidirectional control in %j, naming it', (p) => {
    expect(() => filePath('path', p)).toThrow(/bidirectional control characters \(U\+(202E|2066|200F) at position \d+\)/);
  });
  it('accepts right-to-left letters themselves', () => expect(filePath('path', 'نموذج/مثال.bin')).toBe('نموذج/مثال.bin'));
  it('treats an empty folder as the root', () => expect(folderPath('path', '/')).toBe(''));
});

describe('tree', () => {
  const files = [
    { path: 'a/b/c.bin', size: 3, sha256: 'c', format: 'OTHER' },
    { path: 'a/d.bin', size: 4, sha256: 'd', format: 'OTHER' },
    { path: 'e.json', size: 5, sha256: 'e', format: 'CONFIG' },
  ];
  it('lists one level with folder sizes and counts summed', () => {
    expect(treeEntries(files, ['z/empty'], '', false).map((e) => [e.type, e.path, e.size, e.fileCount])).toEqual([
      ['DIRECTORY', 'a', 7, 2],
      ['FILE', 'e.json', 5, 1],
      ['DIRECTORY', 'z', 0, 0],
    ]);
  });
  it('lists everything below a folder when recursive', () => {
    expect(treeEntries(files, [], 'a', true).map((e) => e.path)).toEqual(['a/b', 'a/b/c.bin', 'a/d.bin']);
  });
});

describe('ranges', () => {
  it.each([
    ['bytes=0-0', { start: 0, end: 0 }],
    ['bytes=10-', { start: 10, end: 99 }],
    ['bytes=-10', { start: 90, end: 99 }],
    ['bytes=50-500', { start: 50, end: 99 }],
    ['bytes=100-', 'unsatisfiable'],
    ['bytes=5-2', 'unsatisfiable'],
    ['bytes=0-1,5-6', null],
    ['items=0-1', null],
  ])('%s of 100 bytes', (header, expected) => expect(parseByteRange(header, 100)).toEqual(expected));
  it.each(['bytes=-5', 'bytes=0-', 'bytes=0-0'])('%s of an empty file is unsatisfiable', (header) => expect(parseByteRange(header, 0)).toBe('unsatisfiable'));
});

describe('aliases and hub revisions', () => {
  it('names start with a letter; main and commits are refused', () => {
    expect(aliasName('name', ' Production ')).toBe('production');
    for (const bad of ['main', '1.0.0', 'a'.repeat(64), 'bad name', 'a'.repeat(40).replace(/a/g, 'f')]) expect(() => aliasName('name', bad)).toThrow();
    expect(isProtectedAlias('production', ['production'])).toBe(true);
  });
  it('a version id round-trips through its commit; a random sha does not', () => {
    const id = '0b7e4c3a-1f2d-4e5f-9a8b-7c6d5e4f3a2b';
    const commit = commitOfVersion(id);
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    expect(versionOfCommit(commit)).toBe(id);
    expect(versionOfCommit(`${commit.slice(0, 39)}${commit[39] === '0' ? '1' : '0'}`)).toBeNull();
  });
});

describe('upload commands', () => {
  it('quote the token and URL for a POSIX shell', () => {
    const cmd = curlCommand({ versionUrl: "http://h/files/versions/v'1", token: 'abc', mode: 'FILE' });
    expect(cmd).toContain("export MODELHUB_UPLOAD_TOKEN='abc'");
    // The file name is percent-encoded by the script's own urlpath function (spaces, unicode, '#', '?').
    expect(cmd).toContain("'http://h/files/versions/v'\\''1/upload/'\"$(urlpath \"$(basename \"$FILE\")\")\"");
  });
});
