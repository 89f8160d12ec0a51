import { log } from '@temporalio/activity';
import { type Caller, systemCaller } from '../src/domain/auth/caller';

/**
 * The caller of work a workflow does on its own (a rescan's settlement, the rescan schedule, the blob collector):
 * the system, with the reason, logged with the activity's workflow and attempt (the activity logger adds them).
 */
export function actingAs(reason: string): Caller {
  const caller = systemCaller(reason);
  log.info('activity acts as the system', { caller: caller.subject, reason });
  return caller;
}
