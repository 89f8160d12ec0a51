import { callPickle, protocol0Call } from '../../fixtures/pickle-ops';
import { npyFloat32, npyObject } from '../../fixtures/npy-files';
import { pythonPickle } from '../../fixtures/python-pickles';
import { tinyStateDict, torchLegacy, torchZip } from '../../fixtures/torch-checkpoint';
import { zipFile } from '../../fixtures/zip-writer';
import { globals, rules, scanDir } from './scan-helpers';

const files = scanDir();
afterAll(() => files.cleanup());

const evil = () => pythonPickle({ kind: 'call', target: 'os.system', args: ['echo pwned'] });

describe('PyTorch zip checkpoints', () => {
  test('a torch.save-layout checkpoint (data.pkl, storages, version) is CLEAN and its storages are not read', async () => {
    const tensors = [...tinyStateDict(), { name: 'big', storage: 'FloatStorage' as const, key: '4', numel: 1 << 20, shape: [1024, 1024] }];
    const bytes = torchZip(tensors);
    const report = await files.scan('pytorch_model.bin', bytes);
    expect(report).toMatchObject({ format: 'pytorch-zip', verdict: 'CLEAN', findings: [] });
    // 4 MiB of storage bytes are probed by their first bytes, not read.
    expect(report.bytesScanned).toBeLessThan(bytes.length / 8);
  });

  test('a malicious data.pkl is CRITICAL with the member named', async () => {
    const report = await files.scan('model.pt', torchZip(tinyStateDict(), evil()));
    expect(report.findings).toContainEqual(expect.objectContaining({ severity: 'CRITICAL', global: 'posix.system', message: expect.stringContaining('archive/data.pkl') }));
  });

  test('a protocol 0 pickle in a member named .txt is found by content', async () => {
    const bytes = zipFile([{ name: 'archive/data.pkl', data: pythonPickle({ kind: 'torch-state', tensors: [] }) }, { name: 'archive/notes.txt', data: protocol0Call('os', 'system', 'id') }]);
    expect(globals(await files.scan('m.pt', bytes))).toContain('os.system');
  });

  test('local header names and flags that disagree with the central directory: read by the directory, flagged', async () => {
    const bytes = zipFile([
      { name: 'archive/data.pkl', localName: 'archive/README.txt', data: evil() },
      { name: 'archive/version', data: Buffer.from('3\n'), flags: 0x0008, localFlags: 0x0800 },
    ]);
    const report = await files.scan('m.pt', bytes);
    expect(rules(report)).toEqual(expect.arrayContaining(['zip-header-mismatch', 'pickle-dangerous-import']));
  });

  test('an encryption flag on plain bytes hides nothing: content scanned, file unscannable', async () => {
    const report = await files.scan('m.pt', zipFile([{ name: 'archive/data.pkl', data: evil(), flags: 0x0001 }]));
    expect(report.verdict).toBe('UNSCANNABLE');
    expect(rules(report)).toEqual(expect.arrayContaining(['unscannable-encrypted', 'pickle-dangerous-import']));
  });

  test('deflated members are inflated and scanned', async () => {
    const report = await files.scan('m.pt', zipFile([{ name: 'archive/data.pkl', data: evil(), method: 8 }]));
    expect(globals(report)).toContain('posix.system');
  });

  test('storages whose bytes happen to be opcodes (EXT2 runs, STACK_GLOBAL on numbers) are not taken for pickles', async () => {
    const fill = (byte: number) => Buffer.alloc(4096, byte);
    const bytes = zipFile([
      { name: 'archive/data.pkl', data: pythonPickle({ kind: 'torch-state', tensors: [] }) },
      { name: 'archive/data/0', data: fill(0x83) },
      { name: 'archive/data/1', data: Buffer.from([0x4b, 0x01, 0x4b, 0x02, 0x93, 0x2e]) },
    ]);
    expect((await files.scan('m.pt', bytes)).verdict).toBe('CLEAN');
  });

  test('TorchScript archives are flagged', async () => {
    const bytes = zipFile([{ name: 'archive/constants.pkl', data: pythonPickle({ kind: 'value', value: [] }) }, { name: 'archive/code/__torch__/m.py', data: Buffer.from('def forward(self):\n  pass\n') }]);
    expect(rules(await files.scan('script.pt', bytes))).toContain('torchscript-code');
  });
});

describe('zip containers fail closed', () => {
  test('a nested zip or 7z member is unscannable', async () => {
    const inner = zipFile([{ name: 'x.pkl', data: evil() }]);
    expect(rules(await files.scan('m.zip', zipFile([{ name: 'inner.bin', data: inner }])))).toContain('unscannable-nested-archive');
    const sevenZip = Buffer.concat([Buffer.from('377abcaf271c0004', 'hex'), Buffer.alloc(64)]);
    expect(rules(await files.scan('m.zip', zipFile([{ name: 'a', data: sevenZip }])))).toContain('unscannable-nested-archive');
  });

  test('a 7z file is unscannable', async () => {
    const report = await files.scan('model.7z', Buffer.concat([Buffer.from('377abcaf271c0004', 'hex'), Buffer.alloc(64)]));
    expect(report).toMatchObject({ format: 'archive', verdict: 'UNSCANNABLE' });
  });

  test('zip bombs: a high ratio and a member inflating past its declared size', async () => {
    const zeros = Buffer.alloc(64 * 1024 * 1024);
    expect(rules(await files.scan('bomb.zip', zipFile([{ name: 'a', data: zeros, method: 8 }])))).toContain('unscannable-zip-bomb');
    const lying = zipFile([{ name: 'archive/data.pkl', data: Buffer.alloc(512 * 1024, 0x4e), method: 8, declaredSize: 100 }]);
    expect(rules(await files.scan('lie.zip', lying, { maxZipRatio: 1e9 }))).toContain('unscannable-zip-bomb');
  });

  test('overlapping members are unscannable', async () => {
    const good = zipFile([{ name: 'a', data: Buffer.from('hello') }, { name: 'b', data: Buffer.from('world') }]);
    // Point the second central entry at the first local header.
    const cd = good.indexOf(Buffer.from('PK\x01\x02', 'latin1'), good.indexOf(Buffer.from('PK\x01\x02', 'latin1')) + 4);
    good.writeUInt32LE(0, cd + 42);
    expect((await files.scan('overlap.zip', good)).verdict).toBe('UNSCANNABLE');
  });

  test('unsupported compression, a missing end record and a truncated member are unscannable', async () => {
    expect(rules(await files.scan('m.zip', zipFile([{ name: 'a', data: Buffer.from('x'), method: 12 }])))).toContain('unscannable-compression');
    const bytes = zipFile([{ name: 'archive/data.pkl', data: evil() }]);
    expect(rules(await files.scan('cut.zip', bytes.subarray(0, bytes.length - 30)))).toContain('unscannable-malformed');
  });
});

describe('legacy torch files and numpy', () => {
  test('a legacy (stacked pickles + raw storages) checkpoint is CLEAN; raw storages are not taken for pickles', async () => {
    const report = await files.scan('old.bin', torchLegacy());
    expect(report).toMatchObject({ format: 'pytorch-legacy', verdict: 'CLEAN' });
  });

  test('a legacy file whose object pickle imports os is CRITICAL', async () => {
    // The 15-byte magic pickle, then a hostile protocol-number pickle, then the rest of a real legacy file.
    const good = torchLegacy();
    const bytes = Buffer.concat([good.subarray(0, 15), callPickle('os', 'system', 'id'), good.subarray(15)]);
    expect(globals(await files.scan('old.bin', bytes))).toContain('os.system');
  });

  test('npy: plain arrays are CLEAN, object arrays have their pickle scanned, sizes must match', async () => {
    expect((await files.scan('a.npy', npyFloat32([4, 8]))).verdict).toBe('CLEAN');
    // Only numpy's own reconstructors imported: what np.save writes for plain items (fail-closed.test.ts has more).
    expect((await files.scan('o.npy', npyObject())).verdict).toBe('CLEAN');
    expect(globals(await files.scan('e.npy', npyObject(true)))).toContain('posix.system');
    const short = npyFloat32([4, 8]);
    expect((await files.scan('s.npy', short.subarray(0, short.length - 4))).verdict).toBe('UNSCANNABLE');
    expect((await files.scan('h.npy', Buffer.concat([Buffer.from('\x93NUMPY\x01\x00\x10\x00', 'latin1'), Buffer.from("{'descr': __import__('os')}")]))).verdict).toBe('UNSCANNABLE');
  });

  test('npz: object-dtype members inside the zip are scanned', async () => {
    const report = await files.scan('w.npz', zipFile([{ name: 'a.npy', data: npyFloat32([3]) }, { name: 'b.npy', data: npyObject(true), method: 8 }]));
    expect(report.format).toBe('npz');
    expect(globals(report)).toContain('posix.system');
  });
});
