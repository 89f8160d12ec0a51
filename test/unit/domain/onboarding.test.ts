import { SourceType } from '../../../src/domain/catalog/catalog-enums';
import { findMismatches, summarise } from '../../../src/domain/artifacts/verified-metadata';
import { estimateMemoryGb, recommendHardware } from '../../../src/domain/hardware/hardware-estimate';
import { validateImportSource } from '../../../src/domain/onboarding/import-source';

describe('import sources', () => {
  test('valid sources normalise', () => {
    expect(validateImportSource({ sourceType: SourceType.HUGGING_FACE, repoId: 'meta-llama/Llama-3.1-8B' })).toEqual({ type: SourceType.HUGGING_FACE, repoId: 'meta-llama/Llama-3.1-8B', revision: 'main' });
    expect(validateImportSource({ sourceType: SourceType.URL, url: 'https://x.test/m/qwen%20q8.gguf', sha256: 'A'.repeat(64) })).toEqual({ type: SourceType.URL, url: 'https://x.test/m/qwen%20q8.gguf', fileName: 'qwen q8.gguf', sha256: 'a'.repeat(64) });
    expect(validateImportSource({ sourceType: SourceType.CUSTOM, storagePath: '/team/model/' })).toEqual({ type: SourceType.CUSTOM, storagePath: 'team/model' });
  });

  test.each([
    [{ sourceType: SourceType.HUGGING_FACE, repoId: 'no-slash' }, 'repoId'],
    [{ sourceType: SourceType.HUGGING_FACE, repoId: 'a/b', revision: '../../x' }, 'revision'],
    [{ sourceType: SourceType.URL, url: 'file:///etc/passwd' }, 'url'],
    [{ sourceType: SourceType.URL, url: 'https://x/y', sha256: 'xyz' }, 'sha256'],
    [{ sourceType: SourceType.DISK, path: '/models/../etc' }, 'path'],
    [{ sourceType: SourceType.DISK, path: 'models/llama' }, 'path'],
    [{ sourceType: SourceType.CUSTOM, storagePath: 'a/../../b' }, 'storagePath'],
    [{ sourceType: SourceType.CLOUD }, 'sourceType'],
  ])('%j is refused on %s', (input, field) => {
    expect(() => validateImportSource(input)).toThrow(new RegExp(`^${field.replace('.', '\\.')}:`));
  });
});

describe('verified metadata', () => {
  const verified = summarise({
    config: { architecture: 'LlamaForCausalLM', modelType: 'llama', contextLength: 131072, torchDtype: 'bfloat16', numLayers: 32, numKeyValueHeads: 8, headDim: 128 },
    safetensors: [
      { headerLength: 0, tensorCount: 1, parameterCount: 5_000_000_000n, dtypes: { BF16: 5_000_000_000n }, metadata: {} },
      { headerLength: 0, tensorCount: 1, parameterCount: 3_030_261_248n, dtypes: { BF16: 3_030_261_248n }, metadata: {} },
    ],
    gguf: [],
    card: { license: 'llama3.1', tags: ['x'], pipelineTag: 'text-generation', baseModel: null },
  });

  test('shards add up; hub license tags map to catalog ids', () => {
    expect(verified).toMatchObject({ parameterCount: '8030261248', dtypes: { BF16: '8030261248' }, license: 'Llama-3.1-Community' });
  });

  test('rounded declarations pass, real contradictions are flagged', () => {
    const base = { architecture: 'llamaforcausallm', parameterCount: '8000000000', contextLength: null, license: 'llama-3.1-community' };
    expect(findMismatches(base, verified)).toEqual([]);
    expect(findMismatches({ ...base, parameterCount: '70000000000', contextLength: 8192 }, verified).map((m) => m.field)).toEqual(['parameterCount', 'contextLength']);
  });
});

describe('hardware estimate', () => {
  test('an 8B bf16 model with a 8K context fits one L4', () => {
    const gb = estimateMemoryGb({ parameterCount: 8_030_261_248n, bytesPerParameter: 2, contextLength: 8192, numLayers: 32, numKeyValueHeads: 8, headDim: 128 });
    expect(gb).toBeGreaterThan(18);
    expect(gb).toBeLessThan(24);
    expect(recommendHardware(gb)).toEqual({ minGpuMemoryGb: gb, recommendedGpu: 'L4', recommendedGpuCount: 1 });
  });

  test('a 70B bf16 model at 128K context needs two H200s; beyond eight of the largest card there is no fit', () => {
    const gb = estimateMemoryGb({ parameterCount: 70_553_706_496n, bytesPerParameter: 2, contextLength: 131072, numLayers: 80, numKeyValueHeads: 8, headDim: 128 });
    expect(recommendHardware(gb)).toMatchObject({ recommendedGpu: 'H200', recommendedGpuCount: 2 });
    expect(recommendHardware(5000)).toMatchObject({ recommendedGpu: null, recommendedGpuCount: null });
  });
});
