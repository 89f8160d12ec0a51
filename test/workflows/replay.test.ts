import { DefaultLogger, Runtime } from '@temporalio/worker';
import * as workflows from '../../workflows';
import { loadRecordedHistories, type RecordedHistory, replayRecordedHistories } from './replay-histories';

/**
 * Guards running workflows: every recorded history (test/workflows/histories, written by `npm run histories:record`)
 * must replay against the current workflow code. A change that makes a workflow issue different commands for the
 * same events — an activity added, removed or reordered, different timers — would strand executions that are in
 * flight when the new worker is deployed; here it fails with the history's file name instead.
 */
describe('workflow replay over recorded histories', () => {
  let histories: RecordedHistory[];

  beforeAll(async () => {
    // The replay worker reports each state change at INFO; a determinism failure comes back in the result.
    Runtime.install({ logger: new DefaultLogger('WARN') });
    histories = await loadRecordedHistories();
  });

  it('has at least one history for every exported workflow, and none for unknown ones', () => {
    const exported = Object.keys(workflows).sort();
    const recorded = [...new Set(histories.map((history) => history.workflowType))].sort();
    expect(recorded).toEqual(exported);
  });

  it('replays every history deterministically against the current workflows', async () => {
    const failures = await replayRecordedHistories(require.resolve('../../workflows'), histories);
    expect(failures).toEqual([]);
  });
});
