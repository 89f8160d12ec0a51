import { MalformedArtifactError, NeedMoreBytesError } from '../../../src/domain/artifacts/artifact.errors';
import { ArtifactFormat, detectFormat } from '../../../src/domain/artifacts/artifact-format';
import { parseGgufHeader } from '../../../src/domain/artifacts/gguf-header';
import { parseHfConfig } from '../../../src/domain/artifacts/hf-config';
import { parseModelCard } from '../../../src/domain/artifacts/model-card';
import { parseSafetensorsHeader } from '../../../src/domain/artifacts/safetensors-header';
import { gguf, llamaConfig, parameterCountOf, safetensors, tinyLlamaTensors } from '../../fixtures/model-files';

describe('safetensors header', () => {
  const tensors = tinyLlamaTensors();
  const file = safetensors(tensors);

  test('counts parameters exactly and per dtype', () => {
    const summary = parseSafetensorsHeader('m.safetensors', file, file.length);
    expect(summary.parameterCount).toBe(BigInt(parameterCountOf(tensors)));
    expect(summary.dtypes).toEqual({ BF16: BigInt(parameterCountOf(tensors)) });
    expect(summary.tensorCount).toBe(tensors.length);
    expect(summary.metadata).toEqual({ format: 'pt' });
  });

  test('asks for more bytes when given a short prefix', () => {
    expect(() => parseSafetensorsHeader('m', file.subarray(0, 20), file.length)).toThrow(NeedMoreBytesError);
  });

  function withHeader(header: object, dataBytes: number): Buffer {
    const json = Buffer.from(JSON.stringify(header));
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(json.length));
    return Buffer.concat([length, json, Buffer.alloc(dataBytes)]);
  }

  test.each([
    ['an impossible header length', (() => { const b = Buffer.from(file); b.writeBigUInt64LE(10n ** 12n); return b; })(), /header length/],
    ['offsets that disagree with the shape', withHeader({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 8] } }, 8), /do not match/],
    ['a gap between tensors', withHeader({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8), /gap/],
    ['data the tensors do not cover', withHeader({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, 8), /covers 4 of 8/],
    ['an unknown dtype', withHeader({ a: { dtype: 'Q9', shape: [1], data_offsets: [0, 1] } }, 1), /unknown dtype/],
    ['a header that is not JSON', (() => { const b = Buffer.from(file); b.write('{{{{', 8); return b; })(), /not valid JSON/],
  ])('refuses %s', (_label, bytes, message) => {
    expect(() => parseSafetensorsHeader('bad.safetensors', bytes, bytes.length)).toThrow(MalformedArtifactError);
    expect(() => parseSafetensorsHeader('bad.safetensors', bytes, bytes.length)).toThrow(message);
  });
});

describe('GGUF header', () => {
  const file = gguf({ architecture: 'llama', contextLength: 8192, fileType: 15, name: 'Tiny', tensors: [{ name: 'a', dims: [64, 32] }, { name: 'b', dims: [10] }] });

  test('reads architecture, context length, quantization and parameters, skipping arrays', () => {
    expect(parseGgufHeader('m.gguf', file, file.length)).toMatchObject({
      version: 3,
      tensorCount: 2,
      parameterCount: 2058n,
      architecture: 'llama',
      contextLength: 8192,
      quantization: 'Q4_K_M',
      name: 'Tiny',
    });
  });

  test('bad magic is malformed; a short prefix asks for more', () => {
    const bad = Buffer.from(file);
    bad.write('GGML', 0, 'latin1');
    expect(() => parseGgufHeader('m.gguf', bad, bad.length)).toThrow(/bad magic/);
    expect(() => parseGgufHeader('m.gguf', file.subarray(0, 40), file.length)).toThrow(NeedMoreBytesError);
    expect(() => parseGgufHeader('m.gguf', file.subarray(0, 40), 40)).toThrow(MalformedArtifactError);
  });
});

describe('config.json and model cards', () => {
  test('config.json: architecture, context, dtype and KV-cache shape; multimodal configs nest the text model', () => {
    expect(parseHfConfig('config.json', llamaConfig().toString())).toEqual({
      architecture: 'LlamaForCausalLM', modelType: 'llama', contextLength: 4096, torchDtype: 'bfloat16', numLayers: 2, numKeyValueHeads: 2, headDim: 16,
    });
    const nested = parseHfConfig('config.json', JSON.stringify({ architectures: ['LlavaForConditionalGeneration'], text_config: { max_position_embeddings: 32768, num_hidden_layers: 32 } }));
    expect(nested).toMatchObject({ architecture: 'LlavaForConditionalGeneration', contextLength: 32768, numLayers: 32 });
    expect(() => parseHfConfig('config.json', '[1,2]')).toThrow(MalformedArtifactError);
  });

  test('model card front matter; cards without one are empty, "other" licenses use license_name', () => {
    expect(parseModelCard('---\nlicense: apache-2.0\ntags:\n  - chat\npipeline_tag: text-generation\nbase_model: meta-llama/Llama-3.1-8B\n---\n# Hi')).toEqual({
      license: 'apache-2.0', tags: ['chat'], pipelineTag: 'text-generation', baseModel: 'meta-llama/Llama-3.1-8B',
    });
    expect(parseModelCard('# Just a heading')).toEqual({ license: null, tags: [], pipelineTag: null, baseModel: null });
    expect(parseModelCard('---\nlicense: other\nlicense_name: acme-eula\n---\n').license).toBe('acme-eula');
    expect(parseModelCard('---\n: : [bad\n---\n').license).toBeNull();
  });

  test('formats are detected by magic bytes before names', () => {
    expect(detectFormat('weights.bin', Buffer.from([0x80, 0x04, 0x95]))).toBe(ArtifactFormat.PICKLE);
    expect(detectFormat('weights.bin', Buffer.from('PK\x03\x04', 'latin1'))).toBe(ArtifactFormat.PYTORCH);
    expect(detectFormat('renamed.txt', Buffer.from('GGUF', 'latin1'))).toBe(ArtifactFormat.GGUF);
    expect(detectFormat('x.npy', Buffer.from('\x93NUMPY', 'latin1'))).toBe(ArtifactFormat.NUMPY);
    expect(detectFormat('model.safetensors', Buffer.from([1, 0, 0, 0]))).toBe(ArtifactFormat.SAFETENSORS);
    expect(detectFormat('tokenizer.json', Buffer.from('{'))).toBe(ArtifactFormat.TOKENIZER);
    expect(detectFormat('sub/README.md', Buffer.from('#'))).toBe(ArtifactFormat.MODEL_CARD);
  });
});
