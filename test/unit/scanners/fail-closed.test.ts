import { legacyTorchFile } from '../../fixtures/legacy-torch-files';
import { objectArrayNpy, objectArraysNpz } from '../../fixtures/numpy-object-files';
import { callPickle, protocol0Call } from '../../fixtures/pickle-ops';
import { pythonPickle } from '../../fixtures/python-pickles';
import { zipFile } from '../../fixtures/zip-writer';
import { globals, rules, scanDir } from './scan-helpers';

const files = scanDir();
afterAll(() => files.cleanup());

/** A REDUCE of os.system written by CPython at `protocol` (it names posix.system on Linux). */
const evil = (protocol: number) => pythonPickle({ kind: 'call', target: 'os.system', args: ['echo pwned'], protocol });

describe('legacy torch files at every pickle protocol', () => {
  test.each([0, 1, 2] as const)('pytorch_model.bin at protocol %i with posix.system in its object pickle is CRITICAL', async (protocol) => {
    const report = await files.scan('pytorch_model.bin', legacyTorchFile(protocol, true));
    expect(report).toMatchObject({ format: 'pytorch-legacy', verdict: 'FINDINGS' });
    expect(report.findings).toContainEqual(expect.objectContaining({ severity: 'CRITICAL', rule: 'pickle-dangerous-import', global: 'posix.system' }));
  });

  test.each([0, 1, 2] as const)('a benign one at protocol %i is CLEAN: its raw storages are not read as pickles', async (protocol) => {
    expect(await files.scan('pytorch_model.bin', legacyTorchFile(protocol, false))).toMatchObject({ format: 'pytorch-legacy', verdict: 'CLEAN', findings: [] });
  });

  test('recognised by its magic number whatever the name', async () => {
    const report = await files.scan('checkpoint.dat', legacyTorchFile(1, true));
    expect(report.format).toBe('pytorch-legacy');
    expect(globals(report)).toContain('posix.system');
  });

  test('one that ends before its fifth pickle is unscannable', async () => {
    const bytes = legacyTorchFile(0, false);
    const cut = bytes.indexOf(Buffer.from('.ccollections', 'latin1')) + 1; // after the sys_info pickle
    expect(rules(await files.scan('pytorch_model.bin', bytes.subarray(0, cut)))).toContain('unscannable-truncated');
  });
});

describe('every pickle in a file is read', () => {
  test('.bin is a pickle name: a protocol 0 call after a protocol 1 value is found', async () => {
    const bytes = Buffer.concat([pythonPickle({ kind: 'value', value: { ok: [1, 2] }, protocol: 1 }), evil(0)]);
    expect(globals(await files.scan('pytorch_model.bin', bytes))).toContain('posix.system');
  });

  test('a file found to be a pickle by its bytes alone: the pickles after the first are read too', async () => {
    const report = await files.scan('weights.dat', Buffer.concat([Buffer.from('N.', 'latin1'), protocol0Call('os', 'system', 'id')]));
    expect(report.format).toBe('pickle');
    expect(globals(report)).toContain('os.system');
  });

  test('text after a pickle-looking start of a file with no pickle name is not a pickle and not a finding', async () => {
    expect(await files.scan('NOTES', Buffer.from('N.B. this file is plain text\n', 'latin1'))).toMatchObject({ verdict: 'CLEAN' });
  });

  test('bytes after a probed pickle that run a few opcodes (a call on None) before failing leave no findings', async () => {
    // NONE NONE REDUCE would be an indirect call, but 0xff stops any unpickler first: nothing is imported.
    expect(await files.scan('weights.dat', Buffer.from('N.NNR\xff', 'latin1'))).toMatchObject({ format: 'pickle', verdict: 'CLEAN', findings: [] });
  });
});

describe('a file that does not parse as what its name says is UNSCANNABLE', () => {
  const sevenBytes = Buffer.from([0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06]);
  test.each(['pytorch_model.bin', 'model.pkl', 'model.pt', 'model.ckpt', 'a.joblib', 'weights.npy', 'weights.npz', 'model.gguf', 'bundle.zip'])('7 bytes of nothing named %s', async (name) => {
    expect((await files.scan(name, sevenBytes)).verdict).toBe('UNSCANNABLE');
  });

  test.each([['empty', Buffer.alloc(0)], ['text', Buffer.from('garbage')], ['a JSON document', Buffer.from('{"a": 1}\n')]])('%s named pytorch_model.bin', async (_what, bytes) => {
    expect((await files.scan('pytorch_model.bin', bytes)).verdict).toBe('UNSCANNABLE');
  });

  test('a .npy without the numpy magic is unpickled by np.load(allow_pickle=True), so it is scanned as a pickle', async () => {
    expect(globals(await files.scan('weights.npy', evil(2)))).toContain('posix.system');
  });
});

describe('every zip member is read', () => {
  test('a malicious pickle in a second, odd-named .pkl member is found', async () => {
    const bytes = zipFile([
      { name: 'archive/data.pkl', data: pythonPickle({ kind: 'torch-state', tensors: [] }) },
      { name: 'archive/extra/x.pkl', data: Buffer.concat([pythonPickle({ kind: 'value', value: [1] }), evil(2)]), method: 8 },
    ]);
    const report = await files.scan('model.pt', bytes);
    expect(report.findings).toContainEqual(expect.objectContaining({ global: 'posix.system', message: expect.stringContaining('archive/extra/x.pkl') }));
  });

  test('a member with no pickle name whose second pickle imports os is found', async () => {
    const bytes = zipFile([{ name: 'archive/data.pkl', data: pythonPickle({ kind: 'value', value: [] }) }, { name: 'archive/notes', data: Buffer.concat([Buffer.from('N.'), callPickle('os', 'system', 'id')]) }]);
    expect(globals(await files.scan('model.pt', bytes))).toContain('os.system');
  });

  test('a legacy torch file inside a zip is read past its magic-number pickle', async () => {
    const report = await files.scan('bundle.zip', zipFile([{ name: 'model/pytorch_model.bin', data: legacyTorchFile(1, true) }]));
    expect(globals(report)).toContain('posix.system');
    expect(report.verdict).toBe('FINDINGS');
  });
});

describe('object-dtype numpy arrays', () => {
  test.each([
    ['numpy 1.x, protocol 3 (np.save)', { numpy: 1, protocol: 3 }],
    ['numpy 2.x, protocol 3', { numpy: 2, protocol: 3 }],
    ['protocol 2 (_codecs.encode bytes)', { numpy: 1, protocol: 2 }],
  ] as const)('a benign .npy (%s) is CLEAN', async (_name, spec) => {
    expect(await files.scan('object_array.npy', objectArrayNpy(spec))).toMatchObject({ format: 'numpy', verdict: 'CLEAN', findings: [] });
  });

  test.each([false, true])('a benign .npz (compressed: %s) is CLEAN', async (compressed) => {
    expect(await files.scan('object_arrays.npz', objectArraysNpz({ compressed }))).toMatchObject({ format: 'npz', verdict: 'CLEAN', findings: [] });
  });

  test.each([
    ['object_array.npy', objectArrayNpy({ evil: true })],
    ['object_array.npy', objectArrayNpy({ evil: true, numpy: 2, protocol: 2 })],
    ['object_arrays.npz', objectArraysNpz({ evil: true, compressed: true })],
  ])('one that also pickles posix.system stays CRITICAL (%s)', async (name, bytes) => {
    const report = await files.scan(name, bytes);
    expect(report.findings).toContainEqual(expect.objectContaining({ severity: 'CRITICAL', global: 'posix.system' }));
  });

  test('one whose pickle imports an allowed global beyond numpy\'s own keeps a LOW note naming it', async () => {
    const report = await files.scan('object_array.npy', objectArrayNpy({ orderedDict: true }));
    expect(report.findings).toEqual([expect.objectContaining({ rule: 'npy-object-dtype', severity: 'LOW', message: expect.stringContaining('collections.OrderedDict') })]);
  });
});
