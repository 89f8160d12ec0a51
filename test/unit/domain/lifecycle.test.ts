import { acceptsImport, allowedMoves, canMove, isDeletable, isUsable, Mover, requireHumanMove, requireMove, summarizeModel } from '../../../src/domain/lifecycle/lifecycle';
import { LifecycleMoveRefusedError } from '../../../src/domain/lifecycle/lifecycle.errors';
import { LifecycleStage as S } from '../../../src/domain/lifecycle/lifecycle-stage';

const ALL = Object.values(S);

describe('version lifecycle', () => {
  test('the governed path DRAFT → INGESTING → VERIFIED → EVALUATED → PUBLISHED → ARCHIVED is allowed', () => {
    const path = [S.DRAFT, S.INGESTING, S.VERIFIED, S.EVALUATED, S.PUBLISHED, S.ARCHIVED];
    for (let i = 1; i < path.length; i++) expect(canMove(path[i - 1], path[i])).toBe(true);
  });

  test('ARCHIVED is terminal and a refusal names the allowed moves', () => {
    expect(allowedMoves(S.ARCHIVED)).toEqual([]);
    expect(() => requireMove(S.ARCHIVED, S.PUBLISHED)).toThrow(/none \(terminal state\)/);
    try {
      requireMove(S.DRAFT, S.PUBLISHED);
      throw new Error('not refused');
    } catch (error) {
      expect(error).toBeInstanceOf(LifecycleMoveRefusedError);
      expect((error as LifecycleMoveRefusedError).code).toBe('CONFLICT');
      expect((error as Error).message).toMatch(/allowed from DRAFT: INGESTING, ARCHIVED/);
    }
  });

  test('only the system enters or leaves INGESTING; people are told how it happens instead', () => {
    for (const [from, to] of [
      [S.DRAFT, S.INGESTING],
      [S.INGESTING, S.VERIFIED],
      [S.INGESTING, S.NEEDS_ATTENTION],
      [S.NEEDS_ATTENTION, S.INGESTING],
    ] as const) {
      expect(() => requireHumanMove(from, to)).toThrow(/by hand/);
    }
    expect(() => requireHumanMove(S.NEEDS_ATTENTION, S.INGESTING)).toThrow(/retryOperation/);
  });

  test('people move VERIFIED → EVALUATED as editors; publishing and archiving need an approver', () => {
    expect(requireHumanMove(S.VERIFIED, S.EVALUATED)).toBe(Mover.EDITOR);
    expect(requireHumanMove(S.EVALUATED, S.PUBLISHED)).toBe(Mover.APPROVER);
    for (const from of ALL.filter((s) => canMove(s, S.ARCHIVED))) expect(requireHumanMove(from, S.ARCHIVED)).toBe(Mover.APPROVER);
  });

  test('no stage skips verification: nothing reaches VERIFIED except from INGESTING (or back from a failed rescan)', () => {
    expect(ALL.filter((s) => canMove(s, S.VERIFIED))).toEqual([S.INGESTING, S.NEEDS_ATTENTION]);
    expect(ALL.filter((s) => canMove(s, S.PUBLISHED))).toEqual([S.NEEDS_ATTENTION, S.EVALUATED]);
  });

  test('a failed rescan takes any usable stage out of service; only reinstateVersion brings it back, never a person by hand', () => {
    for (const from of [S.VERIFIED, S.EVALUATED, S.PUBLISHED]) {
      expect(canMove(from, S.NEEDS_ATTENTION)).toBe(true);
      expect(() => requireHumanMove(from, S.NEEDS_ATTENTION)).toThrow(/failed security rescan/);
      expect(() => requireHumanMove(S.NEEDS_ATTENTION, from)).toThrow(/reinstateVersion/);
    }
  });

  test('usable and re-importable stages', () => {
    expect(ALL.filter(isUsable)).toEqual([S.VERIFIED, S.EVALUATED, S.PUBLISHED]);
    expect(ALL.filter(acceptsImport)).toEqual([S.DRAFT, S.NEEDS_ATTENTION]);
    expect(ALL.filter((s) => !isDeletable(s))).toEqual([S.PUBLISHED]);
  });
});

describe('model status summary', () => {
  const at = (n: number) => new Date(2026, 0, n);

  test('DRAFT without versions; the newest version otherwise', () => {
    expect(summarizeModel([])).toBe(S.DRAFT);
    expect(summarizeModel([{ stage: S.VERIFIED, createdAt: at(1) }, { stage: S.INGESTING, createdAt: at(2) }])).toBe(S.INGESTING);
  });

  test('PUBLISHED while any version is published, whatever newer versions do', () => {
    expect(summarizeModel([{ stage: S.PUBLISHED, createdAt: at(1) }, { stage: S.NEEDS_ATTENTION, createdAt: at(2) }])).toBe(S.PUBLISHED);
  });

  test('archived versions are skipped; ARCHIVED only when all are', () => {
    expect(summarizeModel([{ stage: S.VERIFIED, createdAt: at(1) }, { stage: S.ARCHIVED, createdAt: at(2) }])).toBe(S.VERIFIED);
    expect(summarizeModel([{ stage: S.ARCHIVED, createdAt: at(1) }])).toBe(S.ARCHIVED);
  });
});
