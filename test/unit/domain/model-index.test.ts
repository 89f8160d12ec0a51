import { parseModelIndex } from '../../../src/domain/evaluation/model-index';

const CARD = `---
license: apache-2.0
model-index:
- name: tiny-llama
  results:
  - task: { type: text-generation }
    dataset: { name: MMLU, type: cais/mmlu }
    metrics:
    - { type: acc, value: 63.4, name: accuracy }
    - { type: acc_norm, value: "65.1" }
    source: { url: "https://example.org/leaderboard", name: Open LLM Leaderboard }
  - dataset: { name: "HellaSwag (10-Shot)" }
    metrics: [{ type: acc_norm, value: 80.2 }]
  - dataset: { type: gsm8k }
    metrics: [{ type: acc, value: "n/a" }, { value: 1e12 }]
  - metrics: [{ type: acc, value: 1 }]
---
# Tiny
`;

describe('model-index of a model card', () => {
  it('reads one REPORTED score per metric, skipping malformed values and results without a dataset', () => {
    expect(parseModelIndex(CARD)).toEqual([
      { benchmark: 'mmlu', metric: 'acc', score: 63.4, dataset: 'cais/mmlu', source: 'https://example.org/leaderboard' },
      { benchmark: 'mmlu', metric: 'acc_norm', score: 65.1, dataset: 'cais/mmlu', source: 'https://example.org/leaderboard' },
      { benchmark: 'hellaswag_10-shot', metric: 'acc_norm', score: 80.2, dataset: 'HellaSwag (10-Shot)', source: null },
    ]);
  });

  it('is empty for cards without front matter, broken YAML or no model-index', () => {
    expect(parseModelIndex('# just text')).toEqual([]);
    expect(parseModelIndex('---\nmodel-index: [\n---\n')).toEqual([]);
    expect(parseModelIndex('---\nlicense: mit\n---\n')).toEqual([]);
    expect(parseModelIndex('---\nmodel-index: {results: 1}\n---\n')).toEqual([]);
  });

  it('bounds how many scores one card can add', () => {
    const metrics = Array.from({ length: 500 }, (_, i) => `    - { type: m${i}, value: ${i} }`).join('\n');
    const card = `---\nmodel-index:\n- results:\n  - dataset: { type: big }\n    metrics:\n${metrics}\n---\n`;
    expect(parseModelIndex(card)).toHaveLength(200);
  });
});
