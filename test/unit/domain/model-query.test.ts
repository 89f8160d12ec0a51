import { decodeCursor, encodeCursor, ModelOrder, pageSize, validateFilter } from '../../../src/domain/catalog/model-query';

describe('cursors and paging', () => {
  const cursor = { order: ModelOrder.NAME_ASC, value: 'llama', id: '0f8fad5b-d9cb-469f-a165-70867728950e' };

  test('round-trip and refuse forged or mismatched cursors', () => {
    expect(decodeCursor(encodeCursor(cursor), ModelOrder.NAME_ASC)).toEqual(cursor);
    expect(() => decodeCursor(encodeCursor(cursor), ModelOrder.NAME_DESC)).toThrow(/after/);
    expect(() => decodeCursor('!!!', ModelOrder.NAME_ASC)).toThrow(/after/);
    expect(() => decodeCursor(Buffer.from('["NAME_ASC","x","1; DROP"]').toString('base64url'), ModelOrder.NAME_ASC)).toThrow(/after/);
  });

  test('page sizes', () => {
    expect(pageSize(undefined, 100)).toBe(20);
    expect(pageSize(100, 100)).toBe(100);
    expect(() => pageSize(0, 100)).toThrow(/first/);
    expect(() => pageSize(101, 100)).toThrow(/between 1 and 100/);
  });

  test('filters', () => {
    expect(() => validateFilter({ minParameters: 10n, maxParameters: 1n })).toThrow(/maxParameters/);
    expect(() => validateFilter({ search: 's'.repeat(201) })).toThrow(/search/);
    expect(() => validateFilter({ tags: ['ok', 't'.repeat(65)] })).toThrow(/filter\.tags\[1\]: must be at most 64 characters/);
    expect(() => validateFilter({ or: [{ tags: ['t'.repeat(10_000)] }] })).toThrow(/or\[0\]\.tags\[0\]/);
    expect(validateFilter({ minParameters: 0n })).toMatchObject({ minParameters: 0n, and: [], or: [], not: null, evaluation: null, benchmark: null });
  });
});
