import { ConflictError } from '../common/domain-error';
import type { LifecycleStage } from './lifecycle-stage';

/** A move the lifecycle forbids, or one only the system makes; the message says which moves exist. */
export class LifecycleMoveRefusedError extends ConflictError {
  constructor(from: LifecycleStage, to: LifecycleStage, allowed: readonly LifecycleStage[], why: string | null) {
    const options = allowed.length ? allowed.join(', ') : 'none (terminal state)';
    super(why ? `A version cannot be moved from ${from} to ${to} by hand: ${why}` : `A version cannot move from ${from} to ${to}; allowed from ${from}: ${options}`, {
      from,
      to,
      allowed,
    });
  }
}
