import { execFileSync } from 'node:child_process';
import { startsWithTorchLegacyMagic } from '../../../src/domain/scanning/pickle-opcodes';
import { detectScanFormat, pickleReading } from '../../../src/scanners/format-detect';

/** pickle.dumps(value, protocol) by CPython. */
function dumps(expression: string, protocol: number): Buffer {
  return execFileSync('python3', ['-c', `import pickle, sys; sys.stdout.buffer.write(pickle.dumps(${expression}, protocol=${protocol}))`]);
}

const MAGIC = '0x1950a86a20f9469cfc6c';

describe('legacy torch magic number', () => {
  test.each([0, 1, 2, 3, 4, 5])('pickled at protocol %i, followed by more pickles, opens a legacy torch file', (protocol) => {
    const head = Buffer.concat([dumps(MAGIC, protocol), dumps('1001', protocol)]);
    expect(startsWithTorchLegacyMagic(head)).toBe(true);
    expect(detectScanFormat('anything.dat', head, head.length)).toEqual({ format: 'pytorch-legacy', strictPickle: true });
  });

  test('any integer opcode the unpickler reads as the number counts, as torch.load compares values', () => {
    expect(startsWithTorchLegacyMagic(Buffer.from('I119547037146038801333356\n.', 'latin1'))).toBe(true);
    expect(startsWithTorchLegacyMagic(Buffer.from('L119547037146038801333356\n.', 'latin1'))).toBe(true);
    const long4 = Buffer.concat([Buffer.from([0x80, 0x02, 0x8b, 10, 0, 0, 0]), dumps(MAGIC, 2).subarray(4, 14), Buffer.from('.')]);
    expect(startsWithTorchLegacyMagic(long4)).toBe(true);
  });

  test.each([
    ['another number', dumps(`${MAGIC} + 1`, 2)],
    ['the number inside a list', dumps(`[${MAGIC}]`, 0)],
    ['the number without STOP', Buffer.from('L119547037146038801333356L\n', 'latin1')],
    ['text', Buffer.from('Legacy notes\n', 'latin1')],
  ])('%s does not', (_what, head) => {
    expect(startsWithTorchLegacyMagic(head)).toBe(false);
  });
});

describe('names that promise a format', () => {
  const sevenBytes = Buffer.from([0, 1, 2, 3, 4, 5, 6]);
  test.each([
    ['pytorch_model.bin', 'pickle'], ['m.pt', 'pickle'], ['m.pth', 'pickle'], ['m.ckpt', 'pickle'], ['m.PKL', 'pickle'],
    ['m.joblib', 'pickle'], ['m.dill', 'pickle'], ['w.npy', 'pickle'], ['w.npz', 'pickle'], ['m.gguf', 'gguf'], ['b.zip', 'zip'],
  ])('%s without its format\'s magic is read as %s, strictly', (name, format) => {
    expect(detectScanFormat(name, sevenBytes, 7).format).toBe(format);
    if (format === 'pickle') expect(detectScanFormat(name, sevenBytes, 7).strictPickle).toBe(true);
  });

  test('content wins over the name: a .bin that is a zip, a .pkl that is safetensors', () => {
    expect(detectScanFormat('pytorch_model.bin', Buffer.from('PK\x03\x04rest', 'latin1'), 100).format).toBe('zip');
    expect(detectScanFormat('x.pkl', Buffer.concat([Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{}')]), 10).format).toBe('safetensors');
  });

  test('zip members: pickle names are strict, legacy torch streams are legacy, the rest is probed', () => {
    expect(pickleReading('archive/extra/x.pkl', sevenBytes)).toBe('strict');
    expect(pickleReading('bundle/pytorch_model.bin', dumps(MAGIC, 1))).toBe('legacy');
    expect(pickleReading('archive/data/0', sevenBytes)).toBe('probe');
  });
});
