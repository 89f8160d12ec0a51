/**
 * The events ModelHub sends out (webhooks), one closed list. Each event's `data` has a JSON schema here; the
 * README prints them. A delivery's body is `{ type, timestamp, data }` (see `eventEnvelopeSchema`). `data` always
 * carries the project and the ids and names a receiver needs without calling back; schemas allow more properties,
 * so adding a field later is not a breaking change for receivers.
 */
export const EVENT_TYPES = [
  'version.created',
  'import.succeeded',
  'import.failed',
  'scan.failed',
  'version.out_of_service',
  'promotion.requested',
  'promotion.approved',
  'promotion.rejected',
  'version.published',
  'version.archived',
  'alias.moved',
  'license.blocked',
  'deployment.recorded',
  'deployment.ended',
  'upstream.changed',
  'webhook.disabled',
  'webhook.ping',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);
}

/** The subset of JSON Schema the catalogue uses (and `checkEventData` understands). */
export interface JsonSchema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: (string | null)[];
  format?: string;
  maxItems?: number;
  additionalProperties?: boolean;
}

const str = (description: string): JsonSchema => ({ type: 'string', description });
const nstr = (description: string): JsonSchema => ({ type: ['string', 'null'], description });
const uuid = (description: string): JsonSchema => ({ type: 'string', format: 'uuid', description });
const nuuid = (description: string): JsonSchema => ({ type: ['string', 'null'], format: 'uuid', description });

const PROJECT = { project: str('The project the model (or endpoint) belongs to') };
const MODEL = { ...PROJECT, modelId: uuid('The model'), modelName: str('The model\'s unique name (slug)') };
const VERSION = { ...MODEL, versionId: uuid('The version'), version: str('The version\'s semver string') };
const VERSION_REQUIRED = ['project', 'modelId', 'modelName', 'versionId', 'version'];

function object(properties: Record<string, JsonSchema>, required: string[], description: string): JsonSchema {
  return { type: 'object', description, properties, required, additionalProperties: true };
}

function versionEvent(description: string, extra: Record<string, JsonSchema> = {}, required: string[] = []): JsonSchema {
  return object({ ...VERSION, ...extra }, [...VERSION_REQUIRED, ...required], description);
}

const PROMOTION = {
  requestId: uuid('The promotion request'),
  target: { type: 'string', enum: ['EVALUATED', 'PUBLISHED'], description: 'The stage asked for' },
};

const DEPLOYMENT = {
  deploymentId: uuid('The deployment record'),
  environment: str('Where it runs (e.g. "production")'),
  endpoint: nstr('The serving endpoint, when one was recorded'),
};

export const EVENT_DATA_SCHEMAS: Readonly<Record<EventType, JsonSchema>> = Object.freeze({
  'version.created': versionEvent('A version record was created (by an import, an upload or an upstream proposal).', {
    actor: str('Who created it'),
  }, ['actor']),
  'import.succeeded': versionEvent('The version\'s files were imported, verified and scanned clean; it is now VERIFIED.', {
    operationId: nuuid('The import operation'),
  }),
  'import.failed': versionEvent('The import of the version\'s files failed; the version needs attention.', {
    operationId: nuuid('The import operation'),
    message: nstr('The failure, bounded to 500 characters'),
  }),
  'scan.failed': versionEvent('A security scan of the version found something (or could not scan a file).', {
    scanId: nuuid('The scan run'),
    verdict: str('The scan\'s verdict'),
    findings: {
      type: 'array', maxItems: 50, description: 'The first findings (at most 50)',
      items: object({ path: str('The file'), scanner: nstr('The scanner that found it'), severity: nstr('How serious'), rule: nstr('The rule or signature that matched'), message: nstr('What was found') }, ['path'], 'One finding'),
    },
  }, ['verdict', 'findings']),
  'version.out_of_service': versionEvent('The version can no longer be downloaded (a failed rescan, a quarantine).', {
    status: str('The version\'s status now'),
    reason: nstr('Why'),
    deploymentIds: { type: 'array', items: { type: 'string' }, description: 'Open deployments of the version, if any' },
  }, ['status']),
  'promotion.requested': versionEvent('A promotion of the version was requested.', {
    ...PROMOTION,
    requestedBy: str('Who asked'),
    justification: nstr('Why'),
  }, ['requestId', 'target', 'requestedBy']),
  'promotion.approved': versionEvent('A promotion request was approved (and applied, when its gates pass).', {
    ...PROMOTION,
    approvedBy: str('Who approved'),
    comment: nstr('The approver\'s comment'),
  }, ['requestId', 'target', 'approvedBy']),
  'promotion.rejected': versionEvent('A promotion request was rejected.', {
    ...PROMOTION,
    rejectedBy: str('Who rejected'),
    comment: nstr('Why'),
  }, ['requestId', 'target', 'rejectedBy']),
  'version.published': versionEvent('The version reached PUBLISHED.', { actor: str('Who published it') }, ['actor']),
  'version.archived': versionEvent('The version was archived.', { actor: str('Who archived it'), reason: nstr('Why') }, ['actor']),
  'alias.moved': object({
    ...MODEL,
    alias: str('The alias ("default" is the model\'s default version)'),
    fromVersionId: nuuid('Where it pointed before (null: it is new)'),
    fromVersion: nstr('That version\'s semver string'),
    toVersionId: nuuid('Where it points now (null: it was removed)'),
    toVersion: nstr('That version\'s semver string'),
    actor: str('Who moved it'),
  }, ['project', 'modelId', 'modelName', 'alias', 'fromVersionId', 'toVersionId', 'actor'], 'An alias of a model (or its default) points elsewhere.'),
  'license.blocked': versionEvent('A license check blocked a download or a promotion.', {
    license: nstr('The version\'s license'),
    usage: { type: ['object', 'null'], description: 'The usage checked (commercial, derivatives, monthlyActiveUsers, apiOnly, distribution)' },
    reason: nstr('Why it was blocked'),
  }),
  'deployment.recorded': versionEvent('A deployment of the version was recorded.', { ...DEPLOYMENT, actor: str('Who recorded it') }, ['deploymentId', 'environment']),
  'deployment.ended': versionEvent('A deployment of the version ended.', { ...DEPLOYMENT, actor: str('Who ended it') }, ['deploymentId', 'environment']),
  'upstream.changed': object({
    ...MODEL,
    change: { type: 'string', enum: ['commit', 'license', 'gated', 'vanished'], description: 'What changed upstream' },
    repository: nstr('The upstream repository (e.g. "org/name" on the Hugging Face hub)'),
    revision: nstr('The tracked revision'),
    previous: nstr('What it was (a commit sha, a license id, …)'),
    current: nstr('What it is now'),
    versionId: nuuid('The version proposed or imported for a new commit, when one was made'),
  }, ['project', 'modelId', 'modelName', 'change'], 'A Hugging Face–sourced model changed upstream: a new commit, a license, gated or gone.'),
  'webhook.disabled': object({
    ...PROJECT,
    endpointId: uuid('The endpoint'),
    url: str('The endpoint\'s URL'),
    reason: str('Why: "gone" (it answered 410) or "failing" (it failed for the configured time)'),
  }, ['project', 'endpointId', 'url', 'reason'], 'A webhook endpoint was disabled by ModelHub.'),
  'webhook.ping': object({
    ...PROJECT,
    endpointId: uuid('The endpoint'),
    actor: str('Who asked for the ping'),
  }, ['project', 'endpointId'], 'A test event, sent only to the endpoint it was asked for.'),
});

/** The whole body of a delivery of one event type. */
export function eventEnvelopeSchema(type: EventType): JsonSchema & { $schema: string; title: string } {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: type,
    type: 'object',
    properties: {
      type: { type: 'string', enum: [type] },
      timestamp: { type: 'string', format: 'date-time', description: 'When the change committed' },
      data: EVENT_DATA_SCHEMAS[type],
    },
    required: ['type', 'timestamp', 'data'],
    additionalProperties: false,
  };
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Checks a value against the catalogue's subset of JSON Schema; returns what is wrong (empty: it fits). */
export function checkAgainst(schema: JsonSchema, value: unknown, at = 'data'): string[] {
  const problems: string[] = [];
  if (schema.type !== undefined) {
    const allowed = Array.isArray(schema.type) ? schema.type : [schema.type];
    const actual = typeOf(value);
    if (!allowed.includes(actual) && !(actual === 'integer' && allowed.includes('number'))) return [`${at} is ${actual}, not ${allowed.join(' or ')}`];
  }
  if (schema.enum && !schema.enum.includes(value as string | null)) problems.push(`${at} is not one of ${schema.enum.join(', ')}`);
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) problems.push(`${at} has more than ${schema.maxItems} items`);
    if (schema.items) value.forEach((item, i) => problems.push(...checkAgainst(schema.items as JsonSchema, item, `${at}[${i}]`)));
  } else if (typeOf(value) === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!Object.hasOwn(record, key) || record[key] === undefined) problems.push(`${at}.${key} is missing`);
    for (const [key, sub] of Object.entries(schema.properties ?? {})) {
      if (Object.hasOwn(record, key) && record[key] !== undefined) problems.push(...checkAgainst(sub, record[key], `${at}.${key}`));
    }
  }
  return problems;
}

export function checkEventData(type: EventType, data: Record<string, unknown>): string[] {
  return checkAgainst(EVENT_DATA_SCHEMAS[type], data);
}
