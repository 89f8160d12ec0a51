import type { DataSource } from 'typeorm';
import type { Config } from '../config/config';
import type { ArtifactStore } from '../storage/artifact-store';
import type { CorruptionReporter } from '../storage/blob-integrity';
import { StorageUsageService } from './storage-usage.service';
import { StoreRegistry } from './store-registry';
import { ProjectStorageService } from './storage/project-storage.service';
import { StoreMoveService } from './storage/store-move.service';
import { StoreService } from './storage/store.service';
import { DirectUploadService } from './storage/direct-upload.service';
import { UploadSweepService } from './storage/upload-sweep.service';
import { ArtifactInspectionService } from './artifact-inspection.service';
import { AuditService } from './audit.service';
import { AuditQueryService } from './audit-query.service';
import { LicenseCheckService } from './license-check.service';
import { ProjectAccessService } from './project-access.service';
import { PromotionService } from './promotion.service';
import { PromotionQueryService } from './promotion-query.service';
import { BlobGcService } from './blob-gc.service';
import { createFileServices, draftListing } from './files-services';
import { createHubPushServices } from './hub-push-services';
import { HealthService } from './health.service';
import { ImportListingService } from './import-listing.service';
import { ImportOutcomeService } from './import-outcome.service';
import { IngestionService } from './ingestion.service';
import { LeaderboardService } from './leaderboard.service';
import { RecommendationService } from './recommendation.service';
import { LicenseService } from './license.service';
import { LocalCacheService } from './local-cache.service';
import { MeasurementService } from './measurement.service';
import { MeasurementHistoryService } from './measurement-history.service';
import { MeasuredRunService } from './measured-run.service';
import { BenchmarkRunService } from './benchmark-run.service';
import { EvaluationRunService } from './evaluation-run.service';
import { ModelCommandService } from './model-command.service';
import { ModelQueryService } from './model-query.service';
import { OnboardingService } from './onboarding.service';
import { createSecretSealer } from '../net/sealed-secret';
import { createAddressPolicy } from '../net/address-policy';
import { createUrlPreflight } from '../net/url-preflight';
import { OperationService } from './operation.service';
import { ReportedScoresCommandService } from './reported-scores-command.service';
import { ReportedScoresRefreshService } from './reported-scores-refresh.service';
import { OperationReconciler } from './operation-reconciler.service';
import { ScanResultService } from './scan-result.service';
import { BlobScanService } from './scan-blob.service';
import { createScanEngines } from './scan-engines';
import { ScanQuarantineService } from './scan-quarantine.service';
import { ScanRequestService } from './scan-request.service';
import { ScanRunService } from './scan-run.service';
import { VersionService } from './version.service';
import { VersionQueryService } from './version-query.service';
import { RegistryKeyStore } from '../signing/registry-key';
import { RegistrySigningService } from './registry-signing.service';
import { SignatureService } from './signature.service';
import { VersionDeclarationsService } from './version-declarations.service';
import { VersionLifecycleService } from './version-lifecycle.service';
import { DeploymentService } from './deployment.service';
import { UpstreamWatchService } from './upstream-watch.service';
import { RequestPacer } from '../net/request-pacer';
import type { WorkflowGateway } from './workflow-gateway';
import { hostTaskQueue } from '../domain/onboarding/host-queue';
import { systemCaller } from '../domain/auth/caller';
import { WebhookService } from './webhooks/webhook.service';
import { WebhookDeliveryService } from './webhooks/webhook-delivery.service';
import { WebhookAttemptService } from './webhooks/webhook-attempt.service';

export interface ServiceDeps {
  config: Config;
  /** The environment's store (ARTIFACT_STORE): the registry's `default` store. */
  store: ArtifactStore;
  workflows: WorkflowGateway;
  /** Told of every blob a read found corrupt, in any store. */
  onCorrupt?: CorruptionReporter;
}

export type Services = ReturnType<typeof createServices>;

/** One container for the API and the worker: construction is cheap and both share the same use cases. */
function sealerOf(config: Config): ((secret: string) => string) | null {
  const key = config.urlImports.secretsKey;
  return key ? createSecretSealer(key).seal : null;
}

/** The server's own folders: no filesystem store may overlap them. */
function reservedDirs(config: Config): string[] {
  return [
    config.artifacts.dir,
    config.artifacts.stagingDir,
    config.cacheDir,
    config.files.uploadDir,
    config.database.embeddedDataDir,
    config.evalDatasetsDir,
    config.evalHubCacheDir,
    config.temporal.toolsDir,
    config.consoleDir,
  ];
}

export function createServices(db: DataSource, { config, store, workflows, onCorrupt }: ServiceDeps) {
  const stores = new StoreRegistry(db, store, config.urlImports.secretsKey ? createSecretSealer(config.urlImports.secretsKey) : null, onCorrupt);
  const usage = new StorageUsageService(db);
  const licenses = new LicenseService(db);
  const operations = new OperationService(db);
  const listings = new ImportListingService(db, operations);
  const signatures = new SignatureService(db, stores);
  const registrySigning = new RegistrySigningService(stores, new RegistryKeyStore(config.signing), config.artifacts.stagingDir);
  const outcomes = new ImportOutcomeService(db, operations, listings, signatures);
  const blobScans = new BlobScanService(db, createScanEngines(config.scanning), { scratch: config.artifacts.stagingDir });
  const audit = new AuditService(db);
  const access = new ProjectAccessService(db, audit);
  const quarantines = new ScanQuarantineService(db, access);
  const scans = new ScanResultService(db, quarantines);
  const scanRequests = new ScanRequestService(db, operations, workflows, access, quarantines);
  const caches = new LocalCacheService(db, access, scans, config.cacheDir, stores, operations, workflows, {
    id: config.temporal.hostId,
    taskQueue: hostTaskQueue(config.temporal),
    queueOf: (hostId) => hostTaskQueue({ taskQueue: config.temporal.taskQueue, hostId }),
  });
  const models = new ModelCommandService(db, licenses, access);
  const licenseChecks = new LicenseCheckService(db, audit, access);
  const promotions = new PromotionService(db, access, licenseChecks, audit, signatures, registrySigning);
  const versions = new VersionService(db, access);
  const modelQueries = new ModelQueryService(db);
  const storeAdmin = new StoreService(db, stores, usage, access, audit, {
    sealer: config.urlImports.secretsKey ? createSecretSealer(config.urlImports.secretsKey) : null,
    endpointPreflight: createUrlPreflight(config.artifacts.storeEndpointAllow, 's3.endpoint'),
    fsRoots: config.artifacts.storeFsRoots,
    reserved: reservedDirs(config),
  });
  const projectStorage = new ProjectStorageService(db, storeAdmin, usage, access, audit);
  const sealer = config.urlImports.secretsKey ? createSecretSealer(config.urlImports.secretsKey) : null;
  const webhooks = new WebhookService(db, access, sealer, createUrlPreflight(config.urlImports.allow, 'input.url'), config.webhooks.rotationWindowMs);
  const measuredRuns = new MeasuredRunService(db, access, operations, workflows, config.urlImports.secretsKey ? createSecretSealer(config.urlImports.secretsKey) : null, createUrlPreflight(config.urlImports.allow, 'target.url'), createAddressPolicy(config.urlImports.allow));
  const files = createFileServices(db, { config, stores, usage, workflows, versions, modelQueries, operations, outcomes, audit: (tx, entry) => audit.record(tx, entry), access, outOfService: scans });
  // One pace for every request this process makes to the hub on the watch's behalf (looks and cards).
  const hubPacer = new RequestPacer(config.reportedScores.hubRequestsPerMinute / 60);
  const directUploads = new DirectUploadService(db, stores, files.versionFiles, access, usage, {
    ttlSeconds: config.files.directUploadTtlSeconds,
    maxBytes: config.files.uploadMaxBytes,
    uploadDir: config.files.uploadDir,
  });
  const upstreamWatch = new UpstreamWatchService(db, config.hub, hubPacer, config.reportedScores.cardTimeoutMs, access, licenseChecks, files.submissions);
  return {
    webhooks,
    webhookDeliveries: new WebhookDeliveryService(db, webhooks, workflows, config.webhooks.timeoutMs),
    webhookAttempts: new WebhookAttemptService(db, sealer, createAddressPolicy(config.urlImports.allow), config.webhooks),
    measuredRuns,
    benchmarkRuns: new BenchmarkRunService(db, measuredRuns),
    evaluationRuns: new EvaluationRunService(measuredRuns, config.evaluation),
    evalDatasets: { dir: config.evalDatasetsDir, hub: config.hub, cacheDir: config.evalHubCacheDir },
    ...files,
    ...createHubPushServices(db, { config, stores, models, access, hub: files.hub, submissions: files.submissions, directUploads, usage }),
    host: { id: config.temporal.hostId, taskQueue: hostTaskQueue(config.temporal) },
    audit,
    auditQueries: new AuditQueryService(db),
    access,
    licenseChecks,
    promotions,
    signatures,
    registrySigning,
    promotionQueries: new PromotionQueryService(db),
    licenses,
    models,
    modelQueries,
    versions,
    versionQueries: new VersionQueryService(db, versions),
    versionLifecycle: new VersionLifecycleService(db, promotions, audit),
    versionDeclarations: new VersionDeclarationsService(db, access, licenses),
    scans,
    quarantines,
    measurements: new MeasurementService(db, access, audit),
    measurementHistory: new MeasurementHistoryService(db, access),
    leaderboard: new LeaderboardService(db),
    recommendations: new RecommendationService(db),
    health: new HealthService(db, workflows, stores),
    stores,
    storageUsage: usage,
    storeAdmin,
    projectStorage,
    directUploads,
    uploadSweeper: new UploadSweepService(db, stores, config.files.uploadDir),
    storeMoves: new StoreMoveService(db, stores, projectStorage, usage, access, operations, audit, workflows, config.artifacts.stagingDir),
    operations,
    onboarding: new OnboardingService(db, access, models, operations, workflows, outcomes, config.imports.diskRoots, sealerOf(config), createUrlPreflight(config.urlImports.allow), (ids) => measuredRuns.cancelled(systemCaller('cancelled-run'), ids)),
    caches,
    reconciler: new OperationReconciler(operations, workflows, outcomes, caches, scanRequests),
    ingestion: new IngestionService(config, stores, operations, listings, usage, draftListing(db)),
    listings,
    inspection: new ArtifactInspectionService(stores, config.gpuCatalog),
    outcomes,
    blobScans,
    scanRuns: new ScanRunService(db, blobScans, listings, operations, stores),
    scanRequests,
    blobGc: new BlobGcService(db, stores),
    // Cards are read whole: bounded like the import's metadata files.
    reportedScoresRefresh: new ReportedScoresRefreshService(db, config.hub, {
      maxBytes: 4 * 1024 * 1024,
      timeoutMs: config.reportedScores.cardTimeoutMs,
      concurrency: config.reportedScores.refreshConcurrency,
    }, upstreamWatch, hubPacer),
    upstreamWatch,
    reportedScoresCommands: new ReportedScoresCommandService(db, access, workflows),
    deployments: new DeploymentService(db),
  };
}
