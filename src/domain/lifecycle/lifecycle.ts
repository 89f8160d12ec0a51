import { InvalidTransitionError } from './lifecycle.errors';
import { ModelStatus } from './model-status';

const S = ModelStatus;

/**
 * The governed lifecycle. Ingesting is entered and left by onboarding workflows; NeedsAttention is
 * left by a retry (back to Ingesting). Archived is terminal: a registry must keep what was once used.
 */
const TRANSITIONS: Readonly<Record<ModelStatus, readonly ModelStatus[]>> = {
  [S.DRAFT]: [S.INGESTING, S.ARCHIVED],
  [S.INGESTING]: [S.VERIFIED, S.NEEDS_ATTENTION],
  [S.NEEDS_ATTENTION]: [S.INGESTING, S.ARCHIVED],
  [S.VERIFIED]: [S.INGESTING, S.EVALUATED, S.NEEDS_ATTENTION, S.ARCHIVED],
  [S.EVALUATED]: [S.INGESTING, S.PUBLISHED, S.NEEDS_ATTENTION, S.ARCHIVED],
  [S.PUBLISHED]: [S.ARCHIVED],
  [S.ARCHIVED]: [],
};

export function allowedTransitions(from: ModelStatus): readonly ModelStatus[] {
  return TRANSITIONS[from];
}

export function canTransition(from: ModelStatus, to: ModelStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(from: ModelStatus, to: ModelStatus): void {
  if (!canTransition(from, to)) throw new InvalidTransitionError(from, to, TRANSITIONS[from]);
}

/** Published models are in use by application teams; removing them must go through Archived. */
export function isDeletable(status: ModelStatus): boolean {
  return status !== S.PUBLISHED;
}
