import { ValidationError } from '../common/domain-error';
import { projectId } from '../governance/project';
import { httpUrl, intInRange, labels, nonNegativeBigInt, numberInRange, optionalText, slug, text } from '../common/field-rules';
import { SourceType } from './catalog-enums';
import type {
  HardwareRequirements,
  LicenseRestrictions,
  ModelDraft,
  ModelFields,
  ModelFieldsInput,
  ModelLinks,
} from './model-draft';

/** 10^18: far beyond any model (a sanity bound), still inside a signed 64-bit column. */
export const MAX_PARAMETER_COUNT = 1_000_000_000_000_000_000n;
export const MAX_CONTEXT_LENGTH = 100_000_000;

export function validateModelName(value: string): string {
  return slug('name', value, 100);
}

/**
 * A model's project as given on any write (registration, update, a move, an import): the same normalisation
 * (`projectId`: trimmed, lowercased, a project id) that every check of a project uses, so what is stored is what
 * is checked. None (or blank) is null: the default project.
 */
export function modelProject(value: string | null | undefined, field = 'project'): string | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  return projectId(field, value);
}

function restrictions(input: Partial<LicenseRestrictions> | null | undefined): LicenseRestrictions | null {
  if (!input) return null;
  return {
    commercialUse: input.commercialUse ?? null,
    derivatives: input.derivatives ?? null,
    attributionRequired: input.attributionRequired ?? null,
    monthlyActiveUsersLimit: nonNegativeBigInt(
      'licenseRestrictions.monthlyActiveUsersLimit',
      input.monthlyActiveUsersLimit,
    ),
    notes: optionalText('licenseRestrictions.notes', input.notes, 2000),
  };
}

function requirements(input: Partial<HardwareRequirements> | null | undefined): HardwareRequirements | null {
  if (!input) return null;
  return {
    minGpuMemoryGb: numberInRange('requirements.minGpuMemoryGb', input.minGpuMemoryGb, 0, 100_000),
    recommendedGpu: optionalText('requirements.recommendedGpu', input.recommendedGpu, 100),
    recommendedGpuCount: intInRange('requirements.recommendedGpuCount', input.recommendedGpuCount, 1, 4096),
  };
}

function links(input: Partial<ModelLinks> | null | undefined): ModelLinks {
  return {
    website: httpUrl('links.website', input?.website),
    github: httpUrl('links.github', input?.github),
    huggingFace: httpUrl('links.huggingFace', input?.huggingFace),
    paper: httpUrl('links.paper', input?.paper),
  };
}

function unique<T>(values: readonly T[] | null | undefined): T[] {
  return [...new Set(values ?? [])];
}

function sourceUri(sourceType: SourceType, value: string | null | undefined): string | null {
  const uri = optionalText('sourceUri', value, 2048);
  if (uri !== null && sourceType === SourceType.URL) httpUrl('sourceUri', uri);
  if (uri !== null && sourceType === SourceType.HUGGING_FACE && !/^[\w.-]+(\/[\w.-]+)?$/.test(uri)) {
    throw new ValidationError('sourceUri', 'must be a Hugging Face repo id such as "org/name"');
  }
  return uri;
}

/** Validates every field of a model; used for registration and for the merged result of an update. */
export function validateModelFields(input: ModelFieldsInput & { sourceType: SourceType }): ModelFields {
  return {
    displayName: optionalText('displayName', input.displayName, 200),
    description: optionalText('description', input.description, 10_000),
    sourceType: input.sourceType,
    sourceUri: sourceUri(input.sourceType, input.sourceUri),
    architecture: optionalText('architecture', input.architecture, 100),
    parameterCount: nonNegativeBigInt('parameterCount', input.parameterCount, MAX_PARAMETER_COUNT),
    contextLength: intInRange('contextLength', input.contextLength, 1, MAX_CONTEXT_LENGTH),
    inputModalities: unique(input.inputModalities),
    outputModalities: unique(input.outputModalities),
    endpoints: unique(input.endpoints),
    licenseId: input.licenseId ? text('license', input.licenseId, 100, { min: 1 }) : null,
    licenseRestrictions: restrictions(input.licenseRestrictions),
    requirements: requirements(input.requirements),
    tags: labels('tags', input.tags),
    tasks: labels('tasks', input.tasks, 20),
    owner: optionalText('owner', input.owner, 200),
    project: modelProject(input.project),
    links: links(input.links),
  };
}

export function validateModelDraft(input: ModelFieldsInput & { name: string; sourceType: SourceType }): ModelDraft {
  return { name: validateModelName(input.name), ...validateModelFields(input) };
}

/**
 * Applies a partial update: `undefined` keeps the stored value, `null` clears it.
 * The merged whole is validated again so an update can never store what registration would refuse.
 */
export function mergeModelUpdate(current: ModelFields, patch: ModelFieldsInput): ModelFields {
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value !== undefined) merged[key] = value;
  }
  if (patch.sourceType === null) throw new ValidationError('sourceType', 'cannot be cleared');
  // An update that leaves the project alone keeps it as stored: a row older than the project-id rule must not
  // make every later edit of the model fail on a field the edit did not touch.
  if (patch.project !== undefined) return validateModelFields(merged as ModelFieldsInput & { sourceType: SourceType });
  const fields = validateModelFields({ ...(merged as ModelFieldsInput & { sourceType: SourceType }), project: null });
  return { ...fields, project: current.project };
}
