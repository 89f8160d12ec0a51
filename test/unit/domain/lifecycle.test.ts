import { allowedTransitions, assertTransition, canTransition, isDeletable } from '../../../src/domain/lifecycle/lifecycle';
import { InvalidTransitionError } from '../../../src/domain/lifecycle/lifecycle.errors';
import { ModelStatus as S } from '../../../src/domain/lifecycle/model-status';

describe('lifecycle state machine', () => {
  test.each([
    [S.DRAFT, S.INGESTING],
    [S.INGESTING, S.VERIFIED],
    [S.INGESTING, S.NEEDS_ATTENTION],
    [S.NEEDS_ATTENTION, S.INGESTING],
    [S.VERIFIED, S.EVALUATED],
    [S.EVALUATED, S.PUBLISHED],
    [S.PUBLISHED, S.ARCHIVED],
  ])('%s → %s is allowed', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(() => assertTransition(from, to)).not.toThrow();
  });

  test.each([
    [S.DRAFT, S.PUBLISHED],
    [S.DRAFT, S.VERIFIED],
    [S.INGESTING, S.PUBLISHED],
    [S.NEEDS_ATTENTION, S.PUBLISHED],
    [S.VERIFIED, S.PUBLISHED],
    [S.PUBLISHED, S.DRAFT],
    [S.ARCHIVED, S.DRAFT],
    [S.DRAFT, S.DRAFT],
  ])('%s → %s is refused with a CONFLICT naming the options', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    try {
      assertTransition(from, to);
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidTransitionError);
      expect((error as InvalidTransitionError).code).toBe('CONFLICT');
      expect((error as Error).message).toContain(`from ${from} to ${to}`);
    }
  });

  test('PUBLISHED is only reachable from EVALUATED, ARCHIVED is terminal', () => {
    const all = Object.values(S);
    expect(all.filter((s) => canTransition(s, S.PUBLISHED))).toEqual([S.EVALUATED]);
    expect(allowedTransitions(S.ARCHIVED)).toEqual([]);
    expect(all.every((s) => s === S.ARCHIVED || canTransition(s, S.ARCHIVED) || s === S.INGESTING)).toBe(true);
  });

  test('only PUBLISHED models are protected from deletion', () => {
    expect(Object.values(S).filter((s) => !isDeletable(s))).toEqual([S.PUBLISHED]);
  });
});
