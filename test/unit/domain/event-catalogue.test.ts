import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkAgainst, checkEventData, EVENT_DATA_SCHEMAS, EVENT_TYPES, eventEnvelopeSchema } from '../../../src/domain/events/event-catalogue';

const VERSION = { project: 'p', modelId: '6f1c2d3e-0000-4000-8000-000000000001', modelName: 'm', versionId: '6f1c2d3e-0000-4000-8000-000000000002', version: '1.0.0' };

describe('event catalogue', () => {
  test('every event type has a data schema that requires the project, and an envelope of type, timestamp and data', () => {
    for (const type of EVENT_TYPES) {
      expect(EVENT_DATA_SCHEMAS[type].required).toContain('project');
      const envelope = eventEnvelopeSchema(type);
      expect(envelope.required).toEqual(['type', 'timestamp', 'data']);
      expect(envelope.properties!.type.enum).toEqual([type]);
    }
    expect(Object.keys(EVENT_DATA_SCHEMAS).sort()).toEqual([...EVENT_TYPES].sort());
  });

  test('a payload that fits passes; a missing field, a wrong type or a value outside an enum is named', () => {
    expect(checkEventData('version.published', { ...VERSION, actor: 'bob' })).toEqual([]);
    expect(checkEventData('version.published', { ...VERSION })).toEqual(['data.actor is missing']);
    expect(checkEventData('version.archived', { ...VERSION, actor: 'bob', reason: 42 })).toEqual(['data.reason is integer, not string or null']);
    expect(checkEventData('promotion.requested', { ...VERSION, requestId: VERSION.modelId, target: 'DRAFT', requestedBy: 'x' })).toEqual([
      'data.target is not one of EVALUATED, PUBLISHED',
    ]);
    expect(checkEventData('scan.failed', { ...VERSION, verdict: 'MALICIOUS', findings: [{ message: 'x' }] })).toEqual(['data.findings[0].path is missing']);
    expect(checkAgainst({ type: 'array', maxItems: 1 }, [1, 2])).toEqual(['data has more than 1 items']);
  });

  test('extra properties are allowed, so adding a field is not a breaking change', () => {
    expect(checkEventData('import.succeeded', { ...VERSION, extra: { anything: true } })).toEqual([]);
  });
});

test('the README\'s event catalogue lists every event with the schema the code checks', () => {
  const readme = readFileSync(path.join(__dirname, '../../../README.md'), 'utf8');
  const documented = new Map<string, unknown>();
  for (const match of readme.matchAll(/^#### `([a-z_.]+)`\n\n(.+)\n\n```json\n([\s\S]*?)\n```/gm)) {
    documented.set(match[1], { ...JSON.parse(match[3]), description: match[2] });
  }
  expect([...documented.keys()]).toEqual([...EVENT_TYPES]);
  for (const type of EVENT_TYPES) expect([type, documented.get(type)]).toEqual([type, EVENT_DATA_SCHEMAS[type]]);
});
