import { Context } from '@temporalio/activity';
import { systemCaller } from '../src/domain/auth/caller';
import type { ReportedScoresRefreshReport } from '../src/domain/evaluation/reported-score-changes';
import type { ReportedScoresRefreshService } from '../src/services/reported-scores-refresh.service';

export interface RefreshPage extends ReportedScoresRefreshReport {
  /** The cursor of the next page: the last model id of this one, null when there are no more models. */
  last: string | null;
}

/**
 * One page of the refresh: ids are read here, not carried in the workflow's history. A retried attempt redoes
 * the page; that is harmless, because a model whose card did not change is not rewritten.
 */
export function createReportedScoresActivities({ reportedScoresRefresh }: { reportedScoresRefresh: ReportedScoresRefreshService }) {
  // Scheduled (or asked for by a project's admin, checked by the API): ModelHub re-reads upstream cards itself.
  const system = systemCaller('reported-scores-refresh');
  return {
    async refreshReportedScoresPage(input: { after: string | null; limit: number }): Promise<RefreshPage> {
      const ctx = Context.current();
      ctx.log.info('reported-scores refresh acting as the system', { reason: system.reason, after: input.after });
      ctx.heartbeat({ after: input.after, done: 0 });
      const ids = await reportedScoresRefresh.page(system, input.after, input.limit);
      const report = await reportedScoresRefresh.refreshMany(system, ids, (done) => ctx.heartbeat({ after: input.after, done }));
      return { ...report, last: ids.length < input.limit ? null : (ids.at(-1) ?? null) };
    },

    /** Named models only (an operator's "refresh this one now"); ids that are not Hugging Face models are skipped. */
    async refreshReportedScoresOf(modelIds: string[]): Promise<ReportedScoresRefreshReport> {
      const ctx = Context.current();
      ctx.log.info('reported-scores refresh acting as the system', { reason: system.reason, models: modelIds.length });
      ctx.heartbeat({ done: 0 });
      return reportedScoresRefresh.refreshMany(system, modelIds, (done) => ctx.heartbeat({ done }));
    },
  };
}
