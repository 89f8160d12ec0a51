import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { Role } from '../../domain/auth/roles';
import type { ReportedScoresRefreshReport } from '../../domain/evaluation/reported-score-changes';
import type { GraphQLContext } from '../context';
import { callerOf } from '../governance/governance-access';
import { ReportedScoresRefresh } from './reported-scores.type';

@Resolver()
export class ReportedScoresResolver {
  // An admin somewhere reaches it; the service wants ADMIN in the model's own project.
  @Authorized(Role.ADMIN)
  @Mutation(() => ReportedScoresRefresh, {
    description:
      "Re-reads a Hugging Face model's upstream model card now (as the schedule does every REPORTED_SCORES_REFRESH_CRON) " +
      'and replaces its REPORTED evaluations if the model-index changed; waits for the answer (bounded at two minutes).',
  })
  refreshReportedScores(@Ctx() ctx: GraphQLContext, @Arg('modelId', () => ID) modelId: string): Promise<ReportedScoresRefreshReport> {
    return ctx.services.reportedScoresCommands.refreshNow(callerOf(ctx), modelId);
  }
}
