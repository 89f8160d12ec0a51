import { safetensors, tinyLlamaTensors } from '../../fixtures/model-files';
import { CHATML_TEMPLATE, ggufFile, HOSTILE_TEMPLATE } from '../../fixtures/gguf-files';
import { rules, scanDir } from './scan-helpers';

const files = scanDir();
afterAll(() => files.cleanup());

function withHeader(header: unknown, dataBytes: number, raw?: Buffer): Buffer {
  const json = raw ?? Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, json, Buffer.alloc(dataBytes)]);
}

describe('safetensors structure', () => {
  test('a valid file is CLEAN after reading only its header', async () => {
    const bytes = safetensors(tinyLlamaTensors());
    const report = await files.scan('model.safetensors', bytes);
    expect(report).toMatchObject({ format: 'safetensors', verdict: 'CLEAN' });
    expect(report.bytesScanned).toBeLessThan(bytes.readUInt32LE(0) + 600);
  });

  test('detected by content even under another name', async () => {
    expect((await files.scan('weights.bin', safetensors(tinyLlamaTensors()))).format).toBe('safetensors');
  });

  const t = (offsets: [number, number], shape = [2], dtype = 'F32') => ({ dtype, shape, data_offsets: offsets });
  test.each([
    ['header length past the end of the file', (() => { const b = withHeader({ a: t([0, 8]) }, 8); b.writeBigUInt64LE(10_000n); return b; })(), /past the end/],
    ['header length over 100 MB', (() => { const b = withHeader({}, 0); b.writeBigUInt64LE(200_000_000n); return b; })(), /100 MB/],
    ['overlapping tensors', withHeader({ a: t([0, 8]), b: t([4, 12]) }, 12), /overlaps or leaves a gap/],
    ['a gap between tensors', withHeader({ a: t([0, 8]), b: t([12, 20]) }, 20), /overlaps or leaves a gap/],
    ['trailing bytes after the last tensor', withHeader({ a: t([0, 8]) }, 16), /covers 8 of 16/],
    ['offsets not starting at 0', withHeader({ a: t([8, 16]) }, 16), /gap at byte 8/],
    ['shape × dtype not matching the byte range', withHeader({ a: t([0, 8], [3]) }, 8), /do not match/],
    ['an unknown dtype', withHeader({ a: t([0, 8], [2], 'F31') }, 8), /unknown dtype/],
    ['a torch alias instead of the format name', withHeader({ a: t([0, 8], [2], 'float32') }, 8), /unknown dtype/],
    ['non-string metadata', withHeader({ __metadata__: { n: 1 }, a: t([0, 8]) }, 8), /__metadata__/],
    ['extra tensor keys', withHeader({ a: { ...t([0, 8]), code: 'x' } }, 8), /keys/],
    ['invalid UTF-8', withHeader(null, 0, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), /UTF-8/],
    ['a header that is not an object', withHeader([1, 2], 0), /not a JSON object|does not start/],
  ])('%s is unscannable', async (_name, bytes, message) => {
    const report = await files.scan('bad.safetensors', bytes);
    expect(report.verdict).toBe('UNSCANNABLE');
    expect(report.findings[0]!.message).toMatch(message);
  });
});

describe('GGUF structure and chat templates', () => {
  test('a valid file with a ChatML template is CLEAN', async () => {
    expect(await files.scan('m.gguf', ggufFile())).toMatchObject({ format: 'gguf', verdict: 'CLEAN', findings: [] });
  });

  test('the llama-cpp-python template injection is CRITICAL', async () => {
    const report = await files.scan('m.gguf', ggufFile({ kv: [['tokenizer.chat_template', { type: 'string', value: HOSTILE_TEMPLATE }]] }));
    expect(report.verdict).toBe('FINDINGS');
    expect(report.findings).toContainEqual(expect.objectContaining({ severity: 'CRITICAL', rule: 'chat-template-dunder' }));
  });

  test('named templates and attr-filter/escape tricks are flagged', async () => {
    const kv: [string, { type: 'string'; value: string }][] = [
      ['tokenizer.chat_template', { type: 'string', value: CHATML_TEMPLATE }],
      ['tokenizer.chat_template.tool_use', { type: 'string', value: "{{ ()|attr('\\x5f\\x5fclass\\x5f\\x5f') }}" }],
    ];
    expect(rules(await files.scan('m.gguf', ggufFile({ kv })))).toEqual(expect.arrayContaining(['chat-template-attr-filter', 'chat-template-escaped-underscore']));
  });

  const tensor = (over: object) => ({ name: 'w', dims: [64, 4], type: 0, bytes: 64 * 4 * 4, ...over });
  test.each([
    ['an offset not aligned', { tensors: [tensor({ offset: 4 })] }, /not aligned/],
    ['a tensor past the end of the file', { tensors: [tensor({ bytes: 16 })] }, /runs past the data section/],
    ['an unknown ggml type', { tensors: [tensor({ type: 4 })] }, /unknown ggml type/],
    ['more than 4 dimensions', { tensors: [tensor({ dims: [64, 1, 1, 1, 4] })] }, /5 dimensions/],
    ['a block-quantised row not a multiple of the block', { tensors: [tensor({ dims: [48, 4], type: 12, bytes: 1024 })] }, /block size/],
    ['overlapping tensors', { tensors: [tensor({ offset: 0 }), tensor({ name: 'v', offset: 512 })] }, /overlap/],
    ['a duplicate metadata key', { kv: [['a', { type: 'u32', value: 1 }], ['a', { type: 'u32', value: 2 }]] }, /appears twice/],
    ['an alignment that is not a power of two', { kv: [['general.alignment', { type: 'u32', value: 24 }]], alignment: 24 }, /power of two/],
    ['an unknown metadata value type', { kv: [['a', { type: 'raw', typeId: 13, bytes: Buffer.alloc(8) }]] }, /unknown metadata value type/],
  ] as const)('%s is unscannable', async (_name, options, message) => {
    const report = await files.scan('m.gguf', ggufFile(options as Parameters<typeof ggufFile>[0]));
    expect(report.verdict).toBe('UNSCANNABLE');
    expect(report.findings[0]!.message).toMatch(message);
  });

  test('a truncated header is unscannable', async () => {
    expect((await files.scan('m.gguf', ggufFile().subarray(0, 40))).verdict).toBe('UNSCANNABLE');
  });
});
