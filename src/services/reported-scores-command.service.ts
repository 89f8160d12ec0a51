import type { DataSource } from 'typeorm';
import type { Caller } from '../domain/auth/caller';
import { Role } from '../domain/auth/roles';
import { SourceType } from '../domain/catalog/catalog-enums';
import { ConflictError, NotFoundError, ValidationError } from '../domain/common/domain-error';
import { uuid } from '../domain/common/field-rules';
import type { ReportedScoresRefreshReport } from '../domain/evaluation/reported-score-changes';
import { ModelEntity } from '../persistence/entities/model.entity';
import type { ProjectAccessService } from './project-access.service';
import type { WorkflowGateway } from './workflow-gateway';

/** One refresh per model at a time: a second request joins the first and gets the same report. */
const workflowId = (modelId: string) => `reported-scores-refresh-model:${modelId}`;

/** The API's side of "refresh this model's reported scores now": checks the request, runs it on a worker, waits. */
export class ReportedScoresCommandService {
  constructor(
    private readonly db: DataSource,
    private readonly access: ProjectAccessService,
    private readonly workflows: WorkflowGateway,
  ) {}

  /** Needs ADMIN in the model's project (NOT_FOUND when the caller cannot read it, like an unknown id). */
  async refreshNow(caller: Caller, rawModelId: string): Promise<ReportedScoresRefreshReport> {
    const modelId = uuid('modelId', rawModelId);
    await this.access.authorize(caller, 'Model', modelId, Role.ADMIN, 'Refreshing reported scores');
    const model = await this.db.getRepository(ModelEntity).findOne({ where: { id: modelId }, select: { id: true, sourceType: true } });
    if (!model) throw new NotFoundError('Model', modelId);
    if (model.sourceType !== SourceType.HUGGING_FACE) throw new ValidationError('modelId', `is a ${model.sourceType} model; only Hugging Face models have an upstream card`);
    // The hub is read by a worker, like every outbound transfer; the API only waits for the short answer.
    return this.workflows.refreshReportedScores(workflowId(modelId), { batch: 1, modelIds: [modelId] }).catch((error: unknown) => {
      throw new ConflictError(`The refresh did not finish: ${(error as Error).message}`);
    });
  }
}
