/**
 * Generated and/or/not filter trees with a plain-SQL reference, for the filter-language tests of models and
 * versions: each leaf is a filter condition beside the SQL that selects the same rows, and a tree's expected rows
 * are computed from its leaves' rows by set algebra over the seeded universe.
 */

/** Deterministic draws (mulberry32), so a failing input can be replayed from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** One condition of the filter language and the SQL (a WHERE fragment) that selects the same rows. */
export interface Leaf {
  filter: Record<string, unknown>;
  sql: string;
}

export type Tree = { leaf: number } | { and: Tree[] } | { or: Tree[] } | { not: Tree } | { leaf: number; or: Tree[] };

export interface FilterTrees {
  /** The GraphQL filter input a tree stands for. */
  toFilter(tree: Tree): Record<string, unknown>;
  /** The ids a tree selects, by set algebra over its leaves' rows (each leaf's SQL run once). */
  reference(tree: Tree): Promise<Set<string>>;
  /** A random tree below `depth` (depth 4 at most, one to three children per and/or). */
  generate(r: () => number, depth: number): Tree;
  /** Nodes in all and evidence conditions in all (the filter caps count both). */
  count(tree: Tree): { nodes: number; evidence: number };
}

/**
 * `rowsOf(sql)` answers the ids one leaf's SQL selects; `universe()` every id of the seeded catalog (what `not`
 * complements against).
 */
export function filterTrees(leaves: readonly Leaf[], rowsOf: (sql: string) => Promise<Set<string>>, universe: () => Set<string>): FilterTrees {
  const leafRows = new Map<number, Set<string>>();
  const leaf = async (i: number) => {
    if (!leafRows.has(i)) leafRows.set(i, await rowsOf(leaves[i].sql));
    return leafRows.get(i)!;
  };
  const union = (sets: Set<string>[]) => new Set(sets.flatMap((s) => [...s]));
  const intersect = (sets: Set<string>[]) => new Set([...universe()].filter((id) => sets.every((s) => s.has(id))));

  const toFilter = (tree: Tree): Record<string, unknown> => {
    if ('leaf' in tree && 'or' in tree) return { ...leaves[tree.leaf].filter, or: tree.or.map(toFilter) };
    if ('leaf' in tree) return leaves[tree.leaf].filter;
    if ('and' in tree) return { and: tree.and.map(toFilter) };
    if ('or' in tree) return { or: tree.or.map(toFilter) };
    return { not: toFilter(tree.not) };
  };

  const reference = async (tree: Tree): Promise<Set<string>> => {
    const all = (trees: Tree[]) => Promise.all(trees.map(reference));
    if ('leaf' in tree && 'or' in tree) return intersect([await leaf(tree.leaf), union(await all(tree.or))]);
    if ('leaf' in tree) return leaf(tree.leaf);
    if ('and' in tree) return intersect(await all(tree.and));
    if ('or' in tree) return union(await all(tree.or));
    const inner = await reference(tree.not);
    return new Set([...universe()].filter((id) => !inner.has(id)));
  };

  const generate = (r: () => number, depth: number): Tree => {
    const pick = () => Math.floor(r() * leaves.length);
    const kids = () => Array.from({ length: 1 + Math.floor(r() * 3) }, () => generate(r, depth + 1));
    if (depth >= 4 || r() < 0.35) return { leaf: pick() };
    const kind = r();
    if (kind < 0.3) return { and: kids() };
    if (kind < 0.6) return { or: kids() };
    if (kind < 0.85) return { not: generate(r, depth + 1) };
    return { leaf: pick(), or: kids() };
  };

  const count = (tree: Tree): { nodes: number; evidence: number } => {
    const children: Tree[] = 'and' in tree ? tree.and : 'or' in tree ? tree.or : 'not' in tree ? [tree.not] : [];
    const own = 'leaf' in tree && ('evaluation' in leaves[tree.leaf].filter || 'benchmark' in leaves[tree.leaf].filter) ? 1 : 0;
    return children.map(count).reduce((a, b) => ({ nodes: a.nodes + b.nodes, evidence: a.evidence + b.evidence }), { nodes: 1, evidence: own });
  };

  return { toFilter, reference, generate, count };
}
