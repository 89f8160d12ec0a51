import { ValidationError } from '../common/domain-error';
import { decodeOpaqueCursor, encodeOpaqueCursor, NOT_OUR_CURSOR } from '../common/opaque-cursor';
import { projectId } from '../governance/project';
import type { LifecycleStage } from '../lifecycle/lifecycle-stage';
import type { ScanStatus } from '../scanning/scan-enums';
import type { SourceType } from './catalog-enums';
import { checkFilterTags, type FilterTree, type OwnFields, type ValidTree, validateTree } from './filter-tree';

export enum VersionOrder {
  CREATED_AT_DESC = 'CREATED_AT_DESC',
  CREATED_AT_ASC = 'CREATED_AT_ASC',
}

/** A version's upstream signature (`model.sig`) as checked when its files were verified. */
export enum SignatureState {
  UNSIGNED = 'UNSIGNED',
  VALID = 'VALID',
  INVALID = 'INVALID',
}

/** The fields of one node of a versions' filter; evidence (the version's own) and and / or / not come from FilterTree. */
export interface VersionFilter extends FilterTree<VersionFilter> {
  /** Any of these lifecycle stages. */
  stages?: LifecycleStage[] | null;
  /** Versions of the model of this name. */
  model?: string | null;
  /** Versions of models carrying all of these tags. */
  tags?: string[] | null;
  /** Versions of models of this project. */
  project?: string | null;
  /** Created at or after. */
  createdSince?: Date | null;
  /** Created before. */
  createdBefore?: Date | null;
  /** A pre-release (1.0.0-rc.1), or not. */
  prerelease?: boolean | null;
  /** Any of these states of the upstream signature. */
  signature?: SignatureState[] | null;
  /** The latest scan of the version ended in any of these. */
  scanStatus?: ScanStatus[] | null;
  /** Imported from this kind of source (the version's own import; an upload is CUSTOM). */
  sourceType?: SourceType | null;
}

export type VersionFields = OwnFields<VersionFilter>;
export type ValidVersionFilter = ValidTree<VersionFields>;

/** Checks a versions' filter: the tree and its evidence (filter-tree.ts), and each node's own fields. */
export function validateVersionFilter(filter: VersionFilter): ValidVersionFilter {
  return validateTree(filter, (node, field): VersionFields => {
    for (const name of ['stages', 'signature', 'scanStatus'] as const) {
      if (node[name]?.length === 0) throw new ValidationError(`${field}.${name}`, 'must not be empty (leave it out instead)');
    }
    checkFilterTags(field, node.tags);
    if (node.model !== null && node.model !== undefined && (node.model.length > 200 || node.model.trim() === '')) {
      throw new ValidationError(`${field}.model`, 'must be a model name (1 to 200 characters)');
    }
    checkFilterTime(`${field}.createdSince`, node.createdSince);
    checkFilterTime(`${field}.createdBefore`, node.createdBefore);
    if (node.createdSince && node.createdBefore && node.createdSince >= node.createdBefore) {
      throw new ValidationError(`${field}.createdBefore`, `must be after ${field}.createdSince`);
    }
    return {
      ...node,
      model: node.model?.trim().toLowerCase() ?? node.model,
      tags: node.tags?.map((t) => t.toLowerCase()) ?? node.tags,
      project: node.project !== null && node.project !== undefined ? projectId(`${field}.project`, node.project) : node.project,
    };
  });
}

/**
 * A filter's time as the database can compare it: years 1 to 9999 in UTC. GraphQL's DateTimeISO takes year 0 (and
 * an offset can push a time into year -1 or 10000), which JavaScript keeps but PostgreSQL's timestamptz cast refuses:
 * such a time failed the whole query as an internal error.
 */
function checkFilterTime(field: string, time: Date | null | undefined): void {
  if (time === null || time === undefined) return;
  const year = time.getUTCFullYear();
  if (Number.isNaN(time.getTime()) || year < 1 || year > 9999) throw new ValidationError(field, 'must be a time between the years 1 and 9999 (UTC)');
}

/** Position of a version in a creation-time ordering: its creation time in UTC to the microsecond, as the database has it. */
export interface VersionCursor {
  order: VersionOrder;
  /** `2026-12-07T02:43:21.123456` (UTC). */
  createdAt: string;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UTC_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/;

export function encodeVersionCursor(cursor: VersionCursor): string {
  return encodeOpaqueCursor(['VERSION', cursor.order, cursor.createdAt, cursor.id]);
}

export function decodeVersionCursor(raw: string, order: VersionOrder): VersionCursor {
  const parsed = decodeOpaqueCursor(raw, 1024);
  const [tag, issuedFor, createdAt, id] = parsed;
  // The time must be what this API writes there: anything else would reach SQL's CAST and fail as an internal error.
  if (parsed.length !== 4 || tag !== 'VERSION' || typeof issuedFor !== 'string' || typeof createdAt !== 'string' || typeof id !== 'string' || !UUID.test(id)) {
    throw new ValidationError('after', NOT_OUR_CURSOR);
  }
  const millis = `${createdAt.slice(0, 23)}Z`;
  // Year 0 is a JavaScript date but not a PostgreSQL one.
  if (!UTC_MICROS.test(createdAt) || Number.isNaN(Date.parse(millis)) || new Date(millis).toISOString() !== millis || createdAt.startsWith('0000')) {
    throw new ValidationError('after', NOT_OUR_CURSOR);
  }
  if (issuedFor !== order) throw new ValidationError('after', `was issued for ordering ${issuedFor}, not ${order}`);
  return { order, createdAt, id };
}
