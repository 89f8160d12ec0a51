import { continueAsNew, defineQuery, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { createReportedScoresActivities } from '../activities/reported-scores.activities';
import type { ReportedScoresRefreshReport } from '../src/domain/evaluation/reported-score-changes';

export interface RefreshReportedScoresInput {
  /** Models one activity checks. */
  batch: number;
  /** Only these models (an operator's targeted refresh); otherwise every Hugging Face model, paged by id. */
  modelIds?: string[];
  /** Pages before continuing as new (default 100; tests lower it to cross run boundaries). */
  pagesPerRun?: number;
  /** Carried over continue-as-new: the page cursor and the totals so far. */
  after?: string | null;
  totals?: ReportedScoresRefreshReport;
}

/** The run's totals so far (the schedule's runs are otherwise visible only by their result). */
export const refreshProgressQuery = defineQuery<ReportedScoresRefreshReport>('reportedScoresRefreshProgress');

// Each page heartbeats after every model; a model's hub requests are bounded by REPORTED_SCORES_CARD_TIMEOUT_MS,
// so two minutes of silence means a dead worker. No attempt cap: a database outage only delays the refresh, and
// the schedule skips runs that would overlap this one.
const refresher = proxyActivities<ReturnType<typeof createReportedScoresActivities>>({
  startToCloseTimeout: '6 hours',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** Pages per run before continuing as new: 100k models in pages of 100 stay far below history limits. */
const PAGES_PER_RUN = 100;
const MAX_FAILURES = 20;

function add(a: ReportedScoresRefreshReport, b: ReportedScoresRefreshReport): ReportedScoresRefreshReport {
  return {
    checked: a.checked + b.checked,
    changed: a.changed + b.changed,
    unchanged: a.unchanged + b.unchanged,
    skipped: a.skipped + b.skipped,
    failed: a.failed + b.failed,
    failures: [...a.failures, ...b.failures].slice(0, MAX_FAILURES),
  };
}

/**
 * Refreshes the REPORTED scores of Hugging Face models from their upstream model cards, page by page (started by
 * the `reported-scores-refresh` schedule). Returns what it checked, changed and failed.
 */
export async function refreshReportedScoresWorkflow(input: RefreshReportedScoresInput): Promise<ReportedScoresRefreshReport> {
  let totals = input.totals ?? { checked: 0, changed: 0, unchanged: 0, skipped: 0, failed: 0, failures: [] };
  setHandler(refreshProgressQuery, () => totals);
  if (input.modelIds) return add(totals, await refresher.refreshReportedScoresOf(input.modelIds));
  let after = input.after ?? null;
  for (let pages = 0; pages < (input.pagesPerRun ?? PAGES_PER_RUN) && !workflowInfo().continueAsNewSuggested; pages += 1) {
    const page = await refresher.refreshReportedScoresPage({ after, limit: input.batch });
    const { last, ...report } = page;
    totals = add(totals, report);
    if (last === null) return totals;
    after = last;
  }
  return continueAsNew<typeof refreshReportedScoresWorkflow>({ batch: input.batch, pagesPerRun: input.pagesPerRun, after, totals });
}
