import { registerEnumType } from 'type-graphql';
import { EndpointType, Modality, SourceType } from '../domain/catalog/catalog-enums';
import { ModelOrder } from '../domain/catalog/model-query';
import { SignatureState, VersionOrder } from '../domain/catalog/version-query';
import { MetricDirection } from '../domain/leaderboard/leaderboard-metric';
import { LifecycleStage } from '../domain/lifecycle/lifecycle-stage';
import { FindingSeverity, ScanStatus } from '../domain/scanning/scan-enums';

registerEnumType(SourceType, { name: 'SourceType', description: 'Where a model comes from.' });
registerEnumType(Modality, { name: 'Modality' });
registerEnumType(EndpointType, { name: 'EndpointType', description: 'Serving endpoints a model can back.' });
registerEnumType(LifecycleStage, {
  name: 'LifecycleStage',
  description: 'Lifecycle stage of a version (and, summarised, of a model): DRAFT → INGESTING → VERIFIED | NEEDS_ATTENTION → EVALUATED → PUBLISHED → ARCHIVED.',
});
registerEnumType(ScanStatus, { name: 'ScanStatus' });
registerEnumType(FindingSeverity, { name: 'FindingSeverity' });
registerEnumType(ModelOrder, { name: 'ModelOrder' });
registerEnumType(MetricDirection, { name: 'MetricDirection' });
registerEnumType(VersionOrder, { name: 'VersionOrder', description: 'Creation time (newest or oldest first); ties by id.' });
registerEnumType(SignatureState, {
  name: 'SignatureState',
  description: 'A version’s upstream signature (`model.sig`) as checked at verification: none, one that verifies, or one that does not.',
});

export { EndpointType, FindingSeverity, MetricDirection, Modality, ModelOrder, LifecycleStage, ScanStatus, SignatureState, SourceType, VersionOrder };
