import { SourceType } from '../../../src/domain/catalog/catalog-enums';
import { mergeModelUpdate, validateModelDraft } from '../../../src/domain/catalog/model-validation';
import { ValidationError } from '../../../src/domain/common/domain-error';

const base = { name: 'llama-3.1-8b', sourceType: SourceType.HUGGING_FACE };

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.field;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('model validation', () => {
  test('normalises: trims text, lowercases and de-duplicates tags, empty strings become null', () => {
    const draft = validateModelDraft({ ...base, displayName: '  Llama  ', description: '   ', tags: ['Chat', 'chat', 'LLM'], inputModalities: [] });
    expect(draft).toMatchObject({ name: 'llama-3.1-8b', displayName: 'Llama', description: null, tags: ['chat', 'llm'] });
    expect(draft.links).toEqual({ website: null, github: null, huggingFace: null, paper: null });
  });

  test.each([
    ['name', { name: 'UPPER' }],
    ['name', { name: '-leading' }],
    ['name', { name: 'a'.repeat(101) }],
    ['parameterCount', { parameterCount: -5n }],
    ['parameterCount', { parameterCount: 10n ** 19n }],
    ['contextLength', { contextLength: 1.5 }],
    ['sourceUri', { sourceUri: 'not a repo id!' }],
    ['links.github', { links: { github: 'javascript:alert(1)' } }],
    ['requirements.recommendedGpuCount', { requirements: { recommendedGpuCount: 0 } }],
    ['licenseRestrictions.monthlyActiveUsersLimit', { licenseRestrictions: { monthlyActiveUsersLimit: -1n } }],
    ['tags', { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }],
    ['owner', { owner: 'o'.repeat(201) }],
  ])('rejects a bad %s', (field, patch) => {
    expect(fieldOf(() => validateModelDraft({ ...base, ...patch }))).toBe(field);
  });

  test('an update keeps omitted fields, clears nulls and re-validates the whole', () => {
    const current = validateModelDraft({ ...base, description: 'd', owner: 'team', parameterCount: 8n });
    const merged = mergeModelUpdate(current, { owner: null, description: undefined, contextLength: 8192 });
    expect(merged).toMatchObject({ description: 'd', owner: null, contextLength: 8192, parameterCount: 8n });
    expect(fieldOf(() => mergeModelUpdate(current, { sourceType: null }))).toBe('sourceType');
    expect(fieldOf(() => mergeModelUpdate(current, { parameterCount: -1n }))).toBe('parameterCount');
  });
});
