import { ValidationError } from '../common/domain-error';

/** Models registered without a project belong here (the column stays nullable for older rows and callers). */
export const DEFAULT_PROJECT = 'default';

/** The SQL twin of `projectOf` over a models alias: matches the models_project expression index. */
export const PROJECT_SQL = (alias: string) => `COALESCE(${alias}.project, '${DEFAULT_PROJECT}')`;

export function projectOf(model: { project: string | null }): string {
  return model.project ?? DEFAULT_PROJECT;
}

const PROJECT_ID = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export function isProjectId(value: unknown): value is string {
  return typeof value === 'string' && PROJECT_ID.test(value);
}

export function projectId(field: string, value: string): string {
  const id = value.trim().toLowerCase();
  if (!isProjectId(id)) throw new ValidationError(field, 'a project id is 1-63 characters of a-z, 0-9, ".", "_" and "-", starting with a letter or digit');
  return id;
}
