import type { DeclaredMetadata } from '../artifacts/verified-metadata';
import { ConflictError } from '../common/domain-error';
import { intInRange, nonNegativeBigInt, optionalText } from '../common/field-rules';
import { isUsable } from '../lifecycle/lifecycle';
import { LifecycleStage } from '../lifecycle/lifecycle-stage';
import { MAX_CONTEXT_LENGTH, MAX_PARAMETER_COUNT } from './model-validation';

/** A change of a version's declarations: an omitted field is kept, null clears it. */
export interface DeclaredMetadataPatch {
  architecture?: string | null;
  parameterCount?: bigint | null;
  contextLength?: number | null;
  license?: string | null;
}

export const NO_DECLARATIONS: DeclaredMetadata = Object.freeze({ architecture: null, parameterCount: null, contextLength: null, license: null });

export const DECLARED_FIELDS: readonly (keyof DeclaredMetadata & string)[] = ['architecture', 'parameterCount', 'contextLength', 'license'];

/**
 * The declarations after `patch` (the license already resolved to its catalog id by the caller). Validated with
 * the rules of the model's own fields, so a declaration is never something the model could not hold.
 */
export function mergeDeclared(before: DeclaredMetadata | null, patch: DeclaredMetadataPatch): DeclaredMetadata {
  const base = before ?? NO_DECLARATIONS;
  const count = patch.parameterCount === undefined ? undefined : nonNegativeBigInt('parameterCount', patch.parameterCount, MAX_PARAMETER_COUNT);
  return {
    architecture: patch.architecture === undefined ? base.architecture : optionalText('architecture', patch.architecture, 100),
    parameterCount: count === undefined ? base.parameterCount : count === null ? null : count.toString(),
    contextLength: patch.contextLength === undefined ? base.contextLength : intInRange('contextLength', patch.contextLength, 1, MAX_CONTEXT_LENGTH),
    license: patch.license === undefined ? base.license : patch.license,
  };
}

/**
 * A version's declarations are what its verification was checked against: once it has been VERIFIED (now, or
 * before a failed rescan took it out of service) they are part of that record and never change. Only a DRAFT, or
 * a version that NEEDS_ATTENTION from its own import, may correct them (and retryOperation checks the new values).
 */
export function requireDeclarationsEditable(version: string, stage: LifecycleStage, stagesReached: readonly LifecycleStage[]): void {
  const verified = isUsable(stage) || stagesReached.some(isUsable);
  if (stage === LifecycleStage.DRAFT || (stage === LifecycleStage.NEEDS_ATTENTION && !verified)) return;
  const why =
    stage === LifecycleStage.INGESTING
      ? 'it is being imported; cancelOperation or wait for the import to end'
      : stage === LifecycleStage.ARCHIVED
        ? 'it is ARCHIVED'
        : `it was VERIFIED against them${stage === LifecycleStage.NEEDS_ATTENTION ? ' before a failed rescan took it out of service' : ` (it is ${stage})`}; create a new version to declare other values`;
  throw new ConflictError(`The declared metadata of version ${version} can no longer change: ${why}`, { status: stage });
}
