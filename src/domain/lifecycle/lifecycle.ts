import { LifecycleMoveRefusedError } from './lifecycle.errors';
import { LifecycleStage } from './lifecycle-stage';

const S = LifecycleStage;

/** Who makes a move: the system from what it verified, an editor, or an approver. */
export enum Mover {
  SYSTEM = 'SYSTEM',
  EDITOR = 'EDITOR',
  APPROVER = 'APPROVER',
}

interface Move {
  to: LifecycleStage;
  by: Mover;
  /** Why only this mover may make it, for refusals. */
  why: string;
}

/** Every stage but INGESTING (and ARCHIVED itself) can be archived, by an approver. */
const ARCHIVE: Move = { to: S.ARCHIVED, by: Mover.APPROVER, why: 'archiving needs the approver role' };

/** A rescan that FAILED takes a usable version out of service; never refused (scan-quarantine.service). */
const QUARANTINE: Move = { to: S.NEEDS_ATTENTION, by: Mover.SYSTEM, why: 'only a failed security rescan takes a version out of service' };

/** Back to the stage it held before a failed rescan: a clean rescan, then an approver other than who asked for it. */
const reinstate = (to: LifecycleStage): Move => ({ to, by: Mover.SYSTEM, why: 'a version taken out of service by a failed rescan comes back with reinstateVersion after a clean rescan' });

/**
 * The governed lifecycle of one version. Ingesting is entered by an import (or a retry of one) and left
 * only by the system, from what it verified; people move the rest. Archived is terminal: a registry keeps
 * what was once used.
 */
const MOVES: Readonly<Record<LifecycleStage, readonly Move[]>> = {
  [S.DRAFT]: [
    { to: S.INGESTING, by: Mover.SYSTEM, why: 'a version enters INGESTING when its files are imported' },
    ARCHIVE,
  ],
  [S.INGESTING]: [
    { to: S.VERIFIED, by: Mover.SYSTEM, why: 'only verification of the files decides VERIFIED' },
    { to: S.NEEDS_ATTENTION, by: Mover.SYSTEM, why: 'only the import decides NEEDS_ATTENTION' },
  ],
  [S.NEEDS_ATTENTION]: [
    { to: S.INGESTING, by: Mover.SYSTEM, why: 'use retryOperation to import the version again' },
    ARCHIVE,
    reinstate(S.VERIFIED),
    reinstate(S.EVALUATED),
    reinstate(S.PUBLISHED),
  ],
  [S.VERIFIED]: [
    { to: S.EVALUATED, by: Mover.EDITOR, why: 'EVALUATED needs an evaluation or benchmark of the version' },
    ARCHIVE,
    QUARANTINE,
  ],
  [S.EVALUATED]: [
    { to: S.PUBLISHED, by: Mover.APPROVER, why: 'publishing needs the approver role' },
    ARCHIVE,
    QUARANTINE,
  ],
  [S.PUBLISHED]: [ARCHIVE, QUARANTINE],
  [S.ARCHIVED]: [],
};

export function allowedMoves(from: LifecycleStage): readonly LifecycleStage[] {
  return MOVES[from].map((m) => m.to);
}

export function canMove(from: LifecycleStage, to: LifecycleStage): boolean {
  return MOVES[from].some((m) => m.to === to);
}

/** The move from → to, or a refusal that names the moves allowed from `from`. */
export function requireMove(from: LifecycleStage, to: LifecycleStage): Move {
  const move = MOVES[from].find((m) => m.to === to);
  if (!move) throw new LifecycleMoveRefusedError(from, to, allowedMoves(from), null);
  return move;
}

/** A person's move (transitionVersion): refuses system moves, saying how they happen instead. */
export function requireHumanMove(from: LifecycleStage, to: LifecycleStage): Mover.EDITOR | Mover.APPROVER {
  const move = requireMove(from, to);
  if (move.by === Mover.SYSTEM) throw new LifecycleMoveRefusedError(from, to, allowedMoves(from), move.why);
  return move.by;
}

/** Stages whose files are verified and usable: what a default version, a cache or a consumer may point at. */
const USABLE: ReadonlySet<LifecycleStage> = new Set([S.VERIFIED, S.EVALUATED, S.PUBLISHED]);

export function isUsable(stage: LifecycleStage): boolean {
  return USABLE.has(stage);
}

/** A version can be (re-)imported only while nothing verified depends on its files. */
export function acceptsImport(stage: LifecycleStage): boolean {
  return stage === S.DRAFT || stage === S.NEEDS_ATTENTION;
}

export interface VersionStageSummary {
  stage: LifecycleStage;
  createdAt: Date;
}

/**
 * A model's status summarises its versions: PUBLISHED while any version is published; otherwise the stage
 * of its newest version that is not archived; ARCHIVED when every version is; DRAFT with no versions.
 */
export function summarizeModel(versions: readonly VersionStageSummary[]): LifecycleStage {
  if (versions.length === 0) return S.DRAFT;
  if (versions.some((v) => v.stage === S.PUBLISHED)) return S.PUBLISHED;
  const live = versions.filter((v) => v.stage !== S.ARCHIVED);
  if (live.length === 0) return S.ARCHIVED;
  return live.reduce((newest, v) => (v.createdAt > newest.createdAt ? v : newest)).stage;
}

/** Published versions are in use by application teams; removing their model must go through Archived. */
export function isDeletable(status: LifecycleStage): boolean {
  return status !== S.PUBLISHED;
}
