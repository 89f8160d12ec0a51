import path from 'node:path';
import { categoryOf, type CpuProfile, report, summarize } from '../../../bench/profile-summary';

const root = '/repo';
const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0, columnNumber: 0 });

/** root → execute (graphql) → resolve (ours) → parse (pg-protocol); plus GC and idle. */
const profile: CpuProfile = {
  startTime: 0,
  endTime: 3_000_000,
  nodes: [
    { id: 1, callFrame: frame('(root)', ''), children: [2, 5, 6] },
    { id: 2, callFrame: frame('execute', 'file:///repo/node_modules/graphql/execution/execute.js'), children: [3] },
    { id: 3, callFrame: frame('resolve', 'file:///repo/dist/src/graphql/model.resolver.js'), children: [4] },
    { id: 4, callFrame: frame('parse', 'file:///repo/node_modules/pg-protocol/dist/parser.js') },
    { id: 5, callFrame: frame('(garbage collector)', '') },
    { id: 6, callFrame: frame('(idle)', '') },
  ],
  // Samples at 0, 1, 1.5, 2, 2.5 s (the last one lasts until endTime).
  samples: [2, 3, 4, 5, 6],
  timeDeltas: [0, 1_000_000, 500_000, 500_000, 500_000],
};

describe('profile-summary', () => {
  it('attributes self time by package and our files, inclusive time once per function, idle apart', () => {
    const summary = summarize(profile, root);
    expect(summary.windowMs).toBe(3000);
    expect(summary.busyMs).toBe(2500);
    expect(Object.fromEntries(summary.categories.map((c) => [c.category, c.ms]))).toEqual({
      'graphql-js execution': 1000,
      'ours: src/graphql/model.resolver.js': 500,
      'pg (pg-protocol)': 500,
      GC: 500,
    });
    const inclusive = Object.fromEntries(summary.inclusive.map((f) => [f.name, f.ms]));
    expect(inclusive['execute graphql/execution/execute.js:1']).toBe(2000);
    expect(inclusive['resolve dist/src/graphql/model.resolver.js:1']).toBe(1000);
    expect(summary.timeline).toEqual([1000, 1000, 500]);
    expect(report(summary, { cpuMsPerOp: 10, top: 5 })).toContain('| graphql-js execution | 1000 | 40.0 % | 4.00 |');
  });

  it('keeps only the samples of a window', () => {
    const summary = summarize(profile, root, { from: 1, to: 2 });
    expect(summary.busyMs).toBe(1000);
    expect(summary.categories.map((c) => c.category)).toEqual(['ours: src/graphql/model.resolver.js', 'pg (pg-protocol)']);
  });

  it('names node internals, natives and other packages', () => {
    expect(categoryOf(frame('writev', 'node:net'), root)).toBe('node net/streams');
    expect(categoryOf(frame('stringify', ''), root)).toBe('JSON (stringify/parse)');
    expect(categoryOf(frame('x', path.join(root, 'node_modules/@apollo/server/dist/cjs/x.js')), root)).toBe('Apollo (@apollo/server)');
    expect(categoryOf(frame('x', 'file:///elsewhere/node_modules/ws/lib/x.js'), root)).toBe('other package: ws');
  });
});
