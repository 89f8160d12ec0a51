import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { History } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { historyFromJson } from './history-json';

export const HISTORIES_DIR = path.resolve(__dirname, 'histories');

export interface RecordedHistory {
  /** e.g. import-success.json */
  file: string;
  workflowType: string;
  history: History;
}

export interface ReplayFailure {
  file: string;
  error: string;
}

export async function loadRecordedHistories(dir = HISTORIES_DIR): Promise<RecordedHistory[]> {
  const files = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (file) => {
      const history = historyFromJson(await readFile(path.join(dir, file), 'utf8'));
      const workflowType = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;
      if (!workflowType) throw new Error(`${file}: the first event is not WorkflowExecutionStarted`);
      return { file, workflowType, history };
    }),
  );
}

/**
 * Replays each history against the workflow code at `workflowsPath` (no server: the replay worker is fed the
 * events directly) and returns the ones the code no longer reproduces — a DeterminismViolationError when the
 * commands differ from the recorded ones, a ReplayError for anything else that stops the replay.
 */
export async function replayRecordedHistories(workflowsPath: string, histories: RecordedHistory[]): Promise<ReplayFailure[]> {
  const failures: ReplayFailure[] = [];
  // Bundled here rather than by the replay worker, whose bundler logs webpack's whole report at INFO.
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
  const results = Worker.runReplayHistories(
    { workflowBundle: { code } },
    // The file name travels as the workflow id, so each result names the history it came from.
    histories.map(({ file, history }) => ({ workflowId: file, history })),
  );
  for await (const result of results) {
    if (result.error) failures.push({ file: result.workflowId, error: `${result.error.name}: ${result.error.message}` });
  }
  return failures;
}
