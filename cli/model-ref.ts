import type { ApiClient } from './api-client';
import { CliError, usageError } from './cli-errors';

/** `name`, `name@1.2.0` (a version) or `name:production` (an alias; `default` is the default version). */
export interface ModelRef {
  model: string;
  version: string | null;
  alias: string | null;
}

export function parseRef(text: string): ModelRef {
  const match = /^([^@:\s]+)(?:@([^@:\s]+)|:([^@:\s]+))?$/.exec(text.trim());
  if (!match) throw usageError(`"${text}" is not <model>, <model>@<version> or <model>:<alias>`);
  return { model: match[1], version: match[2] ?? null, alias: match[3] ?? null };
}

/** `@1.1.0` or `:alias` relative to another reference's model (for `diff m@1.0.0 @1.1.0`). */
export function parseRelativeRef(text: string, base: ModelRef): ModelRef {
  if (text.startsWith('@') || text.startsWith(':')) return parseRef(`${base.model}${text}`);
  return parseRef(text);
}

export function requireVersion(ref: ModelRef, command: string): ModelRef & { version: string } {
  if (!ref.version) throw usageError(`${command} needs <model>@<version>, got "${ref.model}${ref.alias ? `:${ref.alias}` : ''}"`);
  return ref as ModelRef & { version: string };
}

export interface ModelIds {
  id: string;
  name: string;
  versions: { id: string; version: string; status: string }[];
}

const MODEL_IDS = `query($name: String!) { modelByName(name: $name) { id name versions { id version status } } }`;

export async function modelIds(api: ApiClient, name: string): Promise<ModelIds> {
  return (await api.query<{ modelByName: ModelIds }>(MODEL_IDS, { name })).modelByName;
}

/** The version id a reference names: by version string, by alias, or the default version when neither is given. */
export async function resolveVersionId(api: ApiClient, ref: ModelRef): Promise<{ modelId: string; versionId: string; version: string }> {
  if (ref.version) {
    const model = await modelIds(api, ref.model);
    const found = model.versions.find((v) => v.version === ref.version);
    if (!found) throw new CliError(`model ${ref.model} has no version ${ref.version}`, 'NOT_FOUND');
    return { modelId: model.id, versionId: found.id, version: found.version };
  }
  const alias = ref.alias ?? 'default';
  const data = await api.query<{ versionByAlias: { id: string; version: string; model: { id: string } } }>(
    `query($model: String!, $alias: String!) { versionByAlias(model: $model, alias: $alias) { id version model { id } } }`,
    { model: ref.model, alias },
  );
  return { modelId: data.versionByAlias.model.id, versionId: data.versionByAlias.id, version: data.versionByAlias.version };
}
