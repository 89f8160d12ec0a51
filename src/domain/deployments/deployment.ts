import { ValidationError } from '../common/domain-error';
import { optionalText, text } from '../common/field-rules';

/** A version running somewhere, as a deployer recorded it. Active while `endedAt` is null. */
export interface DeploymentRecord {
  id: string;
  modelId: string;
  versionId: string;
  environment: string;
  endpoint: string;
  description: string | null;
  deployedBy: string;
  deployedAt: Date;
  endedBy: string | null;
  endedAt: Date | null;
  endReason: string | null;
}

export interface DeploymentInput {
  versionId: string;
  environment: string;
  endpoint: string;
  description?: string | null;
}

const ENVIRONMENT = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

/** Environment: a short name (`prod`, `eu-west.staging`); endpoint: where it answers (a URL or a service name), never fetched. */
export function validateDeployment(input: DeploymentInput): { environment: string; endpoint: string; description: string | null } {
  const environment = text('environment', input.environment, 64, { min: 1 });
  if (!ENVIRONMENT.test(environment)) throw new ValidationError('environment', 'must be letters, digits, ".", "_" or "-" (like prod or eu-west.staging)');
  const endpoint = text('endpoint', input.endpoint, 500, { min: 1 });
  if (/\s/.test(endpoint)) throw new ValidationError('endpoint', 'must not contain white space (a URL or a service name)');
  return { environment, endpoint, description: optionalText('description', input.description, 2000) };
}

/** How a refusal names the deployments standing in the way (bounded: a version could be on many endpoints). */
export function describeDeployments(deployments: readonly Pick<DeploymentRecord, 'id' | 'environment' | 'endpoint' | 'deployedAt'>[]): string {
  const shown = deployments.slice(0, 5).map((d) => `${d.environment} at ${d.endpoint} since ${d.deployedAt.toISOString()} (deployment ${d.id})`);
  const more = deployments.length > shown.length ? `, and ${deployments.length - shown.length} more` : '';
  return `${shown.join('; ')}${more}`;
}
