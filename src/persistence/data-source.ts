import 'reflect-metadata';
import { DataSource, type Logger } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { BenchmarkEntity } from './entities/benchmark.entity';
import { EvaluationEntity } from './entities/evaluation.entity';
import { LicenseEntity } from './entities/license.entity';
import { LifecycleTransitionEntity } from './entities/lifecycle-transition.entity';
import { ModelEntity } from './entities/model.entity';
import { ScanResultEntity } from './entities/scan-result.entity';
import { VersionEntity } from './entities/version.entity';
import { LocalCacheEntity } from './entities/local-cache.entity';
import { OperationEntity } from './entities/operation.entity';
import { VersionFileEntity } from './entities/version-file.entity';
import { ImportFileEntity } from './entities/import-file.entity';
import { BlobScanEntity } from './entities/blob-scan.entity';
import { ScanFileResultEntity } from './entities/scan-file-result.entity';
import { AuditLogEntity } from './entities/audit-log.entity';
import { LicenseAcknowledgmentEntity } from './entities/license-acknowledgment.entity';
import { ProjectEntity } from './entities/project.entity';
import { VersionSignatureEntity } from './entities/version-signature.entity';
import { PromotionApprovalEntity, PromotionRequestEntity } from './entities/promotion-request.entity';

export const ENTITIES = [
  ModelEntity,
  VersionEntity,
  LicenseEntity,
  LifecycleTransitionEntity,
  ScanResultEntity,
  BenchmarkEntity,
  EvaluationEntity,
  OperationEntity,
  VersionFileEntity,
  LocalCacheEntity,
  ImportFileEntity,
  ScanFileResultEntity,
  BlobScanEntity,
  AuditLogEntity,
  ProjectEntity,
  PromotionRequestEntity,
  PromotionApprovalEntity,
  LicenseAcknowledgmentEntity,
  VersionSignatureEntity,
];

export interface DataSourceOptions {
  url: string;
  logger?: Logger;
  poolSize?: number;
}

export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    // Schema changes only through migrations/; never let the ORM guess.
    synchronize: false,
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    logger: options.logger,
    logging: options.logger ? ['query', 'error'] : false,
    extra: { max: options.poolSize ?? 10, application_name: 'modelhub' },
  });
}

/** Connects and applies pending migrations; returns the names of the ones applied. */
export async function connectAndMigrate(dataSource: DataSource): Promise<string[]> {
  if (!dataSource.isInitialized) await dataSource.initialize();
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  return applied.map((migration) => migration.name);
}
