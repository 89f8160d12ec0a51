import { InitialCatalog1764000000000 } from './1764000000000-initial-catalog';
import { SeedLicenses1764000000001 } from './1764000000001-seed-licenses';
import { Onboarding1764000000002 } from './1764000000002-onboarding';
import { VersionLifecycle1764000000003 } from './1764000000003-version-lifecycle';
import { CacheHosts1764000000010 } from './1764000000010-cache-hosts';
import { SecurityScanning1764000000004 } from './1764000000004-security-scanning';
import { Governance1764000000020 } from './1764000000020-governance';

import { FilesAndAliases1764000000030 } from './1764000000030-files-and-aliases';
import { MeasuredRuns1764000000050 } from './1764000000050-measured-runs';
import { SamplesStorage1764000000060 } from './1764000000060-samples-storage';
import { MeasurementHistory1764000000070 } from './1764000000070-measurement-history';
import { VersionQuarantines1764000000100 } from './1764000000100-version-quarantines';
import { PromotionPolicySnapshot1764000000080 } from './1764000000080-promotion-policy-snapshot';
import { RecordedProvenance1764000000090 } from './1764000000090-recorded-provenance';
import { UsableDefaults1764000000110 } from './1764000000110-usable-defaults';
import { HubLfsObjects1764000000200 } from './1764000000200-hub-lfs-objects';
import { EventOutbox1764000000210 } from './1764000000210-event-outbox';
import { Deployments1764000000220 } from './1764000000220-deployments';
import { UpstreamWatch1764000000221 } from './1764000000221-upstream-watch';
import { SignedVersions1764000000240 } from './1764000000240-signed-versions';
import { Webhooks1764000000211 } from './1764000000211-webhooks';
import { ScanSignatureDatabase1764000000250 } from './1764000000250-scan-signature-database';
import { EvidenceFilters1764000000260 } from './1764000000260-evidence-filters';
import { EvidencePerModel1764000000261 } from './1764000000261-evidence-per-model';
import { StorageRegistries1764000000230 } from './1764000000230-storage-registries';
import { DirectUploadLfs1764000000300 } from './1764000000300-direct-upload-lfs';
import { VersionFilters1764000000310 } from './1764000000310-version-filters';
import { CatalogOrderKeys1764000000320 } from './1764000000320-catalog-order-keys';
import { EvidenceWalk1764000000400 } from './1764000000400-evidence-walk';

/** Listed explicitly (not globbed) so the same array works under ts-jest, tsc output and the CLI. */
export const MIGRATIONS = [InitialCatalog1764000000000, SeedLicenses1764000000001, Onboarding1764000000002, VersionLifecycle1764000000003, SecurityScanning1764000000004, CacheHosts1764000000010, Governance1764000000020, FilesAndAliases1764000000030, MeasuredRuns1764000000050, SamplesStorage1764000000060, MeasurementHistory1764000000070, PromotionPolicySnapshot1764000000080, RecordedProvenance1764000000090, VersionQuarantines1764000000100, UsableDefaults1764000000110, HubLfsObjects1764000000200, EventOutbox1764000000210, Webhooks1764000000211, Deployments1764000000220, UpstreamWatch1764000000221, StorageRegistries1764000000230, SignedVersions1764000000240, ScanSignatureDatabase1764000000250, EvidenceFilters1764000000260, EvidencePerModel1764000000261, DirectUploadLfs1764000000300, VersionFilters1764000000310, CatalogOrderKeys1764000000320, EvidenceWalk1764000000400];
