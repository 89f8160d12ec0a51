import { EndpointType, Modality, SourceType } from './catalog-enums';

export interface LicenseRestrictions {
  commercialUse: boolean | null;
  derivatives: boolean | null;
  attributionRequired: boolean | null;
  monthlyActiveUsersLimit: bigint | null;
  notes: string | null;
}

export interface HardwareRequirements {
  minGpuMemoryGb: number | null;
  recommendedGpu: string | null;
  recommendedGpuCount: number | null;
}

export interface ModelLinks {
  website: string | null;
  github: string | null;
  huggingFace: string | null;
  paper: string | null;
}

/** The user-editable facts of a catalog entry, validated and normalised. */
export interface ModelFields {
  displayName: string | null;
  description: string | null;
  sourceType: SourceType;
  sourceUri: string | null;
  architecture: string | null;
  parameterCount: bigint | null;
  contextLength: number | null;
  inputModalities: Modality[];
  outputModalities: Modality[];
  endpoints: EndpointType[];
  licenseId: string | null;
  licenseRestrictions: LicenseRestrictions | null;
  requirements: HardwareRequirements | null;
  tags: string[];
  tasks: string[];
  owner: string | null;
  project: string | null;
  links: ModelLinks;
}

export interface ModelDraft extends ModelFields {
  name: string;
}

/** Raw input as it arrives; every field optional, `null` clears where the field may be cleared. */
type Nested = 'licenseRestrictions' | 'requirements' | 'links';

export type ModelFieldsInput = { [K in Exclude<keyof ModelFields, Nested>]?: ModelFields[K] | null | undefined } & {
  licenseRestrictions?: Partial<LicenseRestrictions> | null;
  requirements?: Partial<HardwareRequirements> | null;
  links?: Partial<ModelLinks> | null;
};
