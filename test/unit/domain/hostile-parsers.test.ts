import { MalformedArtifactError } from '../../../src/domain/artifacts/artifact.errors';
import { bytesPerElement, normaliseDtype } from '../../../src/domain/artifacts/dtype';
import { parseGgufHeader } from '../../../src/domain/artifacts/gguf-header';
import { parseHfConfig } from '../../../src/domain/artifacts/hf-config';
import { parseSafetensorsHeader } from '../../../src/domain/artifacts/safetensors-header';
import { ggufHugeArray, ggufLongArchitecture, ggufNestedArrays, ggufProtoKeys, safetensorsWithDtype } from '../../fixtures/hostile-files';
import { llamaConfig } from '../../fixtures/model-files';

function refusal(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedArtifactError);
    return (error as Error).message;
  }
  throw new Error('parsed a hostile file');
}

test('GGUF arrays nested 30,000 deep are refused at depth 4, without recursing further', () => {
  const file = ggufNestedArrays(30_000);
  const started = Date.now();
  expect(refusal(() => parseGgufHeader('evil.gguf', file, file.length))).toBe('evil.gguf: arrays nested more than 4 deep');
  expect(Date.now() - started).toBeLessThan(100);
  // Real nesting (an array of strings, one deep) still parses.
  expect(() => parseGgufHeader('ok.gguf', ggufNestedArrays(2), ggufNestedArrays(2).length)).not.toThrow();
});

test('a GGUF array claiming 2^32 items is refused by its count, before any item is read', () => {
  const file = ggufHugeArray();
  expect(refusal(() => parseGgufHeader('huge.gguf', file, 1e12))).toMatch(/array of 4294967296 items \(at most 16777216\)/);
});

test('GGUF keys "__proto__" and "constructor" stay plain metadata keys', () => {
  const file = ggufProtoKeys();
  const summary = parseGgufHeader('proto.gguf', file, file.length);
  expect(Object.getPrototypeOf(summary.metadata)).toBeNull();
  expect(summary.metadata.__proto__).toBe('polluted');
  expect(summary.metadata.constructor).toBe(1);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

test('a 5,000-character GGUF architecture is refused with its length', () => {
  const file = ggufLongArchitecture();
  expect(refusal(() => parseGgufHeader('long.gguf', file, file.length))).toBe('long.gguf: general.architecture is 5000 characters long (1 to 128)');
});

test.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'NOPE'])('safetensors dtype %j is an unknown dtype', (dtype) => {
  expect(bytesPerElement(dtype)).toBeNull();
  const file = safetensorsWithDtype(dtype);
  expect(refusal(() => parseSafetensorsHeader('w.safetensors', file, file.length))).toBe(`w.safetensors: tensor "w" has unknown dtype ${JSON.stringify(dtype)}`);
});

test('torch dtype aliases still resolve, prototype names do not', () => {
  expect(bytesPerElement('bfloat16')).toBe(2);
  expect(normaliseDtype('float16')).toBe('F16');
  expect(normaliseDtype('constructor')).toBe('CONSTRUCTOR');
});

test('config.json: a 5,000-character architecture or an int4-overflowing context length is refused', () => {
  const long = llamaConfig({ architectures: ['X'.repeat(5000)] }).toString('utf8');
  expect(refusal(() => parseHfConfig('config.json', long))).toMatch(/architectures\[0\] is 5000 characters long/);
  const huge = llamaConfig({ max_position_embeddings: 2 ** 40 }).toString('utf8');
  expect(refusal(() => parseHfConfig('config.json', huge))).toMatch(/context length 1099511627776 is larger than 2147483647/);
});
