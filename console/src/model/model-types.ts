import type { OperationState } from '../components/live-operation';

export interface VersionRow {
  id: string;
  version: string;
  status: string;
  statusReason: string | null;
  aliases: string[];
  createdAt: string;
  createdBy: string;
  filesComplete: boolean;
  sourceRevision: string | null;
  downloadCount: number;
}

export interface License {
  id: string;
  name: string;
  url: string | null;
  category: string;
  commercialUse: boolean;
  derivatives: boolean;
  attributionRequired: boolean;
  monthlyActiveUsersLimit: string | number | null;
  notes: string | null;
}

export interface ModelDetail {
  id: string;
  name: string;
  displayName: string | null;
  description: string | null;
  architecture: string | null;
  parameterCount: string | number | null;
  contextLength: number | null;
  status: string;
  project: string | null;
  tags: string[];
  sourceType: string;
  sourceUri: string | null;
  owner: string | null;
  createdAt: string;
  createdBy: string;
  license: License | null;
  licenseRestrictions: { commercialUse: boolean | null; derivatives: boolean | null; attributionRequired: boolean | null; monthlyActiveUsersLimit: string | number | null; notes: string | null } | null;
  requirements: { minGpuMemoryGb: number | null; recommendedGpu: string | null; recommendedGpuCount: number | null } | null;
  defaultVersion: { id: string; version: string } | null;
  aliases: { name: string; versionId: string; protected: boolean }[];
  versions: VersionRow[];
  operations: (OperationState & { createdAt: string })[];
}

export interface ModelTabProps {
  model: ModelDetail;
  version: VersionRow | null;
  refresh(): void;
}
