import { Context } from '@temporalio/activity';
import type { StoreCopyReport, StoreMoveInput } from '../src/domain/storage/store-move';
import type { StoreMoveService } from '../src/services/storage/store-move.service';
import { failFast } from './activity-failures';

/** Thin over StoreMoveService: the copy heartbeats its byte count; the settling steps are compare-and-set. */
export function createStoreMoveActivities({ storeMoves }: { storeMoves: StoreMoveService }) {
  return {
    copyVersionToStore(input: StoreMoveInput): Promise<StoreCopyReport> {
      const ctx = Context.current();
      ctx.heartbeat();
      return failFast(() => storeMoves.copy(input, (bytes) => ctx.heartbeat(bytes), ctx.cancellationSignal));
    },
    switchVersionStore(input: StoreMoveInput): Promise<void> {
      return storeMoves.switchStore(input);
    },
    failStoreMove(input: StoreMoveInput, message: string, cancelled: boolean): Promise<void> {
      return storeMoves.fail(input, message, cancelled);
    },
  };
}
