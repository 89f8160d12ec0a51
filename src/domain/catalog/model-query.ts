import { ValidationError } from '../common/domain-error';
import { projectId } from '../governance/project';
import { decodeOpaqueCursor, encodeOpaqueCursor, NOT_OUR_CURSOR } from '../common/opaque-cursor';
import type { EndpointType, Modality, SourceType } from './catalog-enums';
import { checkFilterTags, type FilterTree, type OwnFields, type ValidTree, validateTree } from './filter-tree';
import type { LifecycleStage } from '../lifecycle/lifecycle-stage';

export enum ModelOrder {
  CREATED_AT_DESC = 'CREATED_AT_DESC',
  CREATED_AT_ASC = 'CREATED_AT_ASC',
  UPDATED_AT_DESC = 'UPDATED_AT_DESC',
  NAME_ASC = 'NAME_ASC',
  NAME_DESC = 'NAME_DESC',
  PARAMETER_COUNT_DESC = 'PARAMETER_COUNT_DESC',
  PARAMETER_COUNT_ASC = 'PARAMETER_COUNT_ASC',
}

/** The catalog fields of one node; evidence and and / or / not come from FilterTree. */
export interface ModelFilter extends FilterTree<ModelFilter> {
  search?: string | null;
  architecture?: string | null;
  sourceType?: SourceType | null;
  tags?: string[] | null;
  license?: string | null;
  status?: LifecycleStage[] | null;
  minParameters?: bigint | null;
  maxParameters?: bigint | null;
  modality?: Modality | null;
  endpoint?: EndpointType | null;
  owner?: string | null;
  project?: string | null;
}

export type ModelFields = OwnFields<ModelFilter>;

/** A filter as the query compiler takes it: checked, normalised, within the caps. */
export type ValidModelFilter = ValidTree<ModelFields>;

/** Position of a row in one ordering: the sort key's value and the id that breaks ties. */
export interface Cursor {
  order: ModelOrder;
  value: string | null;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return encodeOpaqueCursor([cursor.order, cursor.value, cursor.id]);
}

export function decodeCursor(raw: string, expectedOrder: ModelOrder): Cursor {
  // Room for the longest sort value a model has (a display name), base64'd.
  const parsed = decodeOpaqueCursor(raw, 4096);
  if (
    parsed.length !== 3 ||
    typeof parsed[0] !== 'string' ||
    (parsed[1] !== null && typeof parsed[1] !== 'string') ||
    typeof parsed[2] !== 'string' ||
    !UUID.test(parsed[2])
  ) {
    throw new ValidationError('after', NOT_OUR_CURSOR);
  }
  if (parsed[0] !== expectedOrder) {
    throw new ValidationError('after', `was issued for ordering ${String(parsed[0])}, not ${expectedOrder}`);
  }
  const value = parsed[1] as string | null;
  if (!cursorValueFits(expectedOrder, value)) throw new ValidationError('after', NOT_OUR_CURSOR);
  return { order: expectedOrder, value, id: parsed[2] };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const BIGINT = /^-?\d{1,19}$/;

/**
 * The sort value must be what this API puts there for the ordering: a well-formed cursor carrying, say, text
 * where a timestamp belongs would otherwise reach SQL's CAST and fail as an internal error.
 */
function cursorValueFits(order: ModelOrder, value: string | null): boolean {
  switch (order) {
    case ModelOrder.CREATED_AT_DESC:
    case ModelOrder.CREATED_AT_ASC:
    case ModelOrder.UPDATED_AT_DESC:
      // Year 0 is a JavaScript date but not a PostgreSQL one.
      return value !== null && ISO_TIME.test(value) && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString() === value && !value.startsWith('0000');
    case ModelOrder.PARAMETER_COUNT_DESC:
    case ModelOrder.PARAMETER_COUNT_ASC:
      return value !== null && BIGINT.test(value) && BigInt(value) <= 9_223_372_036_854_775_807n && BigInt(value) >= -1n;
    case ModelOrder.NAME_ASC:
    case ModelOrder.NAME_DESC:
      return value !== null && value.length <= 200 && !value.includes('\0');
    default:
      return false;
  }
}

export function pageSize(first: number | null | undefined, max: number, fallback = 20): number {
  if (first === null || first === undefined) return Math.min(fallback, max);
  if (!Number.isInteger(first) || first < 1 || first > max) {
    throw new ValidationError('first', `must be between 1 and ${max}`);
  }
  return first;
}

/** Checks a models' filter: the tree and its evidence (filter-tree.ts), and each node's own catalog fields. */
export function validateFilter(filter: ModelFilter): ValidModelFilter {
  return validateTree(filter, (node, field): ModelFields => {
    if (node.search !== null && node.search !== undefined && node.search.length > 200) {
      throw new ValidationError(`${field}.search`, 'must be at most 200 characters');
    }
    if (node.minParameters != null && node.minParameters < 0n) {
      throw new ValidationError(`${field}.minParameters`, 'must not be negative');
    }
    if (node.minParameters != null && node.maxParameters != null && node.minParameters > node.maxParameters) {
      throw new ValidationError(`${field}.maxParameters`, `must not be below ${field}.minParameters`);
    }
    checkFilterTags(field, node.tags);
    // Normalised like every stored project, so `project: "Beta"` finds the models of project beta.
    return { ...node, project: node.project !== null && node.project !== undefined ? projectId(`${field}.project`, node.project) : node.project };
  });
}
