import { ValidationError } from '../domain/common/domain-error';

/**
 * Nested lists (a model's versions, a version's files, …) answer at most `limit` items: `first` picks fewer,
 * omitted means `limit` (NESTED_LIST_LIMIT, FILES_LIST_LIMIT), so existing queries keep working while no
 * single field can return an unbounded list.
 */
export function capped<T>(items: readonly T[], first: number | null | undefined, limit: number): T[] {
  if (first !== null && first !== undefined && (!Number.isInteger(first) || first < 1 || first > limit)) {
    throw new ValidationError('first', `must be between 1 and ${limit}`);
  }
  return items.slice(0, first ?? limit);
}

/** Keyset paging by a unique key (a file's path): the items after the one named by `after`. */
export function after<T>(items: readonly T[], key: (item: T) => string, cursor: string | null | undefined): readonly T[] {
  if (cursor === null || cursor === undefined) return items;
  const index = items.findIndex((item) => key(item) === cursor);
  if (index < 0) throw new ValidationError('after', 'names no item of this list');
  return items.slice(index + 1);
}
