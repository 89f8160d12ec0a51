import { ValidationError } from '../common/domain-error';
import {
  type BenchmarkCondition,
  type EvaluationCondition,
  type ValidBenchmarkCondition,
  type ValidEvaluationCondition,
  validateBenchmarkCondition,
  validateEvaluationCondition,
} from './evidence-filter';

/**
 * How far a filter nests (the root is level 1: `or: [{ not: { … } }]` is 3 levels), how many entries one `and` or `or`
 * holds, and how many nodes and evidence conditions a whole filter holds: each node is SQL the database plans, and
 * each evidence condition a subquery. The same for every filter (models', versions').
 */
export const FILTER_CAPS = { depth: 5, width: 10, nodes: 50, evidence: 16 } as const;

/** What every filter holds beside its own fields: conditions on evidence, and `and` / `or` / `not` nesting. */
export interface FilterTree<F> {
  /** A result of our runs (by default) on an evaluation, within a score range. */
  evaluation?: EvaluationCondition | null;
  /** A benchmark on a hardware profile whose serving metric lies within a range. */
  benchmark?: BenchmarkCondition | null;
  /** Every one of these, besides this node's own fields. */
  and?: F[] | null;
  /** At least one of these. */
  or?: F[] | null;
  /** Not this. */
  not?: F | null;
}

/** A node's own fields: what is left of a filter without the tree and the evidence. */
export type OwnFields<F> = Omit<F, keyof FilterTree<F>>;

/** A filter as a compiler takes it: checked, normalised, within the caps; `L` is the node's own fields, validated. */
export type ValidTree<L> = L & {
  evaluation: ValidEvaluationCondition | null;
  benchmark: ValidBenchmarkCondition | null;
  and: ValidTree<L>[];
  or: ValidTree<L>[];
  not: ValidTree<L> | null;
};

/**
 * Checks a filter tree against the caps and each node's evidence conditions, and each node's own fields with
 * `ownFields` (given the node without its tree and the path of the node, `filter.or[1].not`, for its errors).
 */
export function validateTree<F extends FilterTree<F>, L extends object>(filter: F, ownFields: (node: OwnFields<F>, field: string) => L): ValidTree<L> {
  const budget = { nodes: 0, evidence: 0 };
  const node = (f: F, field: string, depth: number): ValidTree<L> => {
    if (depth > FILTER_CAPS.depth) throw new ValidationError(field, `filters nest at most ${FILTER_CAPS.depth} levels deep (and / or / not)`);
    budget.nodes += 1;
    if (budget.nodes > FILTER_CAPS.nodes) throw new ValidationError(field, `a filter holds at most ${FILTER_CAPS.nodes} nodes in all`);
    const { evaluation, benchmark, and, or, not, ...own } = f;
    const checked = ownFields(own, field);
    budget.evidence += (evaluation ? 1 : 0) + (benchmark ? 1 : 0);
    if (budget.evidence > FILTER_CAPS.evidence) throw new ValidationError(field, `a filter holds at most ${FILTER_CAPS.evidence} evaluation and benchmark conditions in all`);
    const list = (name: 'and' | 'or', items: F[] | null | undefined): ValidTree<L>[] => {
      if (items === null || items === undefined) return [];
      if (items.length === 0) throw new ValidationError(`${field}.${name}`, 'must not be empty (leave it out instead)');
      if (items.length > FILTER_CAPS.width) throw new ValidationError(`${field}.${name}`, `at most ${FILTER_CAPS.width} entries`);
      return items.map((item, i) => node(item, `${field}.${name}[${i}]`, depth + 1));
    };
    return {
      ...checked,
      evaluation: evaluation ? validateEvaluationCondition(`${field}.evaluation`, evaluation) : null,
      benchmark: benchmark ? validateBenchmarkCondition(`${field}.benchmark`, benchmark) : null,
      and: list('and', and),
      or: list('or', or),
      not: not ? node(not, `${field}.not`, depth + 1) : null,
    };
  };
  return node(filter, 'filter', 1);
}

/** A node's tags (all of which a model must carry): at most 50, each no longer than a stored tag could be. */
export function checkFilterTags(field: string, tags: readonly string[] | null | undefined): void {
  if (!tags) return;
  if (tags.length > 50) throw new ValidationError(`${field}.tags`, 'at most 50 tags');
  // A stored tag is a slug of at most 64 characters (labels()): a longer one could never match.
  for (const [i, tag] of tags.entries()) {
    if (tag.length > 64) throw new ValidationError(`${field}.tags[${i}]`, `must be at most 64 characters, as tags are (got ${tag.length})`);
  }
}
