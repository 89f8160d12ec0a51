import { ConflictError } from '../common/domain-error';
import type { ModelStatus } from './model-status';

export class InvalidTransitionError extends ConflictError {
  constructor(from: ModelStatus, to: ModelStatus, allowed: readonly ModelStatus[]) {
    const options = allowed.length ? allowed.join(', ') : 'none (terminal state)';
    super(`A model cannot move from ${from} to ${to}; allowed from ${from}: ${options}`, { from, to, allowed });
  }
}
