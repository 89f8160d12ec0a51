import type { DataSource } from 'typeorm';
import { HealthService } from './health.service';
import { LeaderboardService } from './leaderboard.service';
import { LicenseService } from './license.service';
import { MeasurementService } from './measurement.service';
import { ModelCommandService } from './model-command.service';
import { ModelQueryService } from './model-query.service';
import { ScanResultService } from './scan-result.service';
import { VersionService } from './version.service';

export interface Services {
  readonly licenses: LicenseService;
  readonly models: ModelCommandService;
  readonly modelQueries: ModelQueryService;
  readonly versions: VersionService;
  readonly scans: ScanResultService;
  readonly measurements: MeasurementService;
  readonly leaderboard: LeaderboardService;
  readonly health: HealthService;
}

export function createServices(db: DataSource): Services {
  const licenses = new LicenseService(db);
  return {
    licenses,
    models: new ModelCommandService(db, licenses),
    modelQueries: new ModelQueryService(db),
    versions: new VersionService(db),
    scans: new ScanResultService(db),
    measurements: new MeasurementService(db),
    leaderboard: new LeaderboardService(db),
    health: new HealthService(db),
  };
}
