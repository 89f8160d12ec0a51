import { ValidationError } from '../../../src/domain/common/domain-error';
import { encodeOpaqueCursor } from '../../../src/domain/common/opaque-cursor';
import { decodeVersionCursor, encodeVersionCursor, validateVersionFilter, VersionOrder } from '../../../src/domain/catalog/version-query';

const ID = '0b8f3c2e-5d3a-4c1e-9f7a-2a1b3c4d5e6f';

describe('versions filter', () => {
  test('normalises names, tags and projects, and keeps the tree', () => {
    const valid = validateVersionFilter({ model: ' Llama-3 ', tags: ['Chat'], project: ' Beta ', or: [{ prerelease: true }] });
    expect(valid).toMatchObject({ model: 'llama-3', tags: ['chat'], project: 'beta', and: [], not: null, evaluation: null, benchmark: null });
    expect(valid.or[0]).toMatchObject({ prerelease: true });
  });

  test('refuses empty lists, reversed time ranges and long tags, naming the path', () => {
    expect(() => validateVersionFilter({ not: { stages: [] } })).toThrow(/filter\.not\.stages/);
    const t = new Date('2026-01-01T00:00:00Z');
    expect(() => validateVersionFilter({ createdSince: t, createdBefore: t })).toThrow(/filter\.createdBefore/);
    expect(() => validateVersionFilter({ and: [{ tags: ['x'.repeat(65)] }] })).toThrow(/filter\.and\[0\]\.tags\[0\]/);
  });
});

describe('versions cursor', () => {
  test('round-trips a microsecond creation time', () => {
    const cursor = { order: VersionOrder.CREATED_AT_ASC, createdAt: '2026-03-04T05:06:07.123456', id: ID };
    expect(decodeVersionCursor(encodeVersionCursor(cursor), VersionOrder.CREATED_AT_ASC)).toEqual(cursor);
  });

  test.each([
    ['another ordering', encodeVersionCursor({ order: VersionOrder.CREATED_AT_DESC, createdAt: '2026-03-04T05:06:07.123456', id: ID })],
    ['a time SQL could not cast', encodeOpaqueCursor(['VERSION', 'CREATED_AT_ASC', "2026'; --", ID])],
    ['an impossible date', encodeOpaqueCursor(['VERSION', 'CREATED_AT_ASC', '2026-02-31T00:00:00.000000', ID])],
    ['a models cursor', encodeOpaqueCursor(['CREATED_AT_ASC', '2026-03-04T05:06:07.123Z', ID])],
  ])('refuses %s', (_, raw) => {
    expect(() => decodeVersionCursor(raw, VersionOrder.CREATED_AT_ASC)).toThrow(ValidationError);
  });
});
