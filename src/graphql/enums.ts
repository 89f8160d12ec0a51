import { registerEnumType } from 'type-graphql';
import { EndpointType, Modality, SourceType } from '../domain/catalog/catalog-enums';
import { ModelOrder } from '../domain/catalog/model-query';
import { MetricDirection } from '../domain/leaderboard/leaderboard-metric';
import { ModelStatus } from '../domain/lifecycle/model-status';
import { FindingSeverity, ScanStatus } from '../domain/scanning/scan-enums';
import { VersionStatus } from '../domain/versioning/version-status';

registerEnumType(SourceType, { name: 'SourceType', description: 'Where a model comes from.' });
registerEnumType(Modality, { name: 'Modality' });
registerEnumType(EndpointType, { name: 'EndpointType', description: 'Serving endpoints a model can back.' });
registerEnumType(ModelStatus, {
  name: 'ModelStatus',
  description: 'Lifecycle: DRAFT → INGESTING → VERIFIED | NEEDS_ATTENTION → EVALUATED → PUBLISHED → ARCHIVED.',
});
registerEnumType(VersionStatus, { name: 'VersionStatus' });
registerEnumType(ScanStatus, { name: 'ScanStatus' });
registerEnumType(FindingSeverity, { name: 'FindingSeverity' });
registerEnumType(ModelOrder, { name: 'ModelOrder' });
registerEnumType(MetricDirection, { name: 'MetricDirection' });

export { EndpointType, FindingSeverity, MetricDirection, Modality, ModelOrder, ModelStatus, ScanStatus, SourceType, VersionStatus };
