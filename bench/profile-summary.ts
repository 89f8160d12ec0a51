/**
 * `npm run bench:profile-summary <file.cpuprofile> [--from=s] [--to=s] [--cpu-ms-per-op=x] [--top=n]`
 *
 * Reads a V8 CPU profile (what `node --cpu-prof` writes, e.g. the API's under `bench:api --cpu-prof=<dir>`) and
 * prints, in markdown: busy CPU per second of the profile (to find the workload's window), self time by category
 * (graphql-js, Apollo, type-graphql, TypeORM, pg, our files, dataloader, JSON, GC, node internals, other packages),
 * and inclusive time of the top functions of our code and of the libraries. `--from`/`--to` (seconds from the
 * profile's start) keep the samples of one window; `--cpu-ms-per-op` (the bench's measured CPU per operation) turns
 * each category's share of the busy time into milliseconds per operation.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

export interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Samples that are not CPU spent by the process: V8 attributes waiting in the event loop to `(idle)`. */
const IDLE = '(idle)';

/** The category a frame's self time counts under, from its url (package or file) and, for natives, its name. */
export function categoryOf(frame: CallFrame, root: string): string {
  const { url, functionName } = frame;
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === IDLE) return 'idle';
  if (functionName === '(program)') return '(program): V8/native outside JS';
  if (functionName === '(root)') return '(root)';
  if (url === '') {
    if (functionName === 'stringify' || functionName === 'parse') return 'JSON (stringify/parse)';
    if (/^(writev|writeBuffer|write\w*String|readStart|readStop|onStreamRead|shutdown)$/.test(functionName)) return 'node net/streams';
    if (functionName === 'runMicrotasks') return 'node microtask/nextTick queue';
    if (/^(utf8|latin1|ascii|ucs2|hex|base64)(Slice|Write)$/.test(functionName) || functionName === 'byteLengthUtf8') return 'Buffer encode/decode (native)';
    if (functionName.startsWith('RegExp: ')) return 'RegExp (native)';
    return 'native builtins (other)';
  }
  const pkg = packageOf(url);
  if (/stringify/i.test(functionName) && !url.includes('/pg')) return 'JSON (stringify/parse)';
  if (pkg !== null) {
    if (pkg === 'graphql') {
      const area = /\/graphql\/(execution|validation|language|type|utilities|jsutils|error)\//.exec(url)?.[1] ?? 'other';
      return `graphql-js ${area}`;
    }
    if (pkg.startsWith('@apollo/') || pkg === '@as-integrations/express5') return `Apollo (${pkg})`;
    if (pkg === 'type-graphql') return 'type-graphql';
    if (pkg === 'typeorm') return 'TypeORM';
    if (pkg === 'pg' || pkg === 'pg-protocol' || pkg === 'pg-types' || pkg === 'pg-pool' || pkg.startsWith('postgres-')) return `pg (${pkg})`;
    if (pkg === 'dataloader') return 'dataloader';
    if (pkg === 'express' || pkg === 'router' || pkg === 'body-parser' || pkg === 'raw-body' || pkg === 'iconv-lite') return `express (${pkg})`;
    return `other package: ${pkg}`;
  }
  if (url.startsWith('node:')) {
    const mod = url.slice('node:'.length).replace(/^internal\//, '');
    if (/^(_http|http)/.test(mod)) return 'node http';
    if (/^(net|stream|streams\/|_stream|tls|dns)/.test(mod)) return 'node net/streams';
    if (/^(async_hooks|async_local_storage|promise_hooks)/.test(mod)) return 'node async_hooks';
    if (/^process\/task_queues/.test(mod)) return 'node microtask/nextTick queue';
    if (/^(timers|process\/timers)/.test(mod)) return 'node timers';
    if (/^(modules|vm|bootstrap)/.test(mod) || mod.startsWith('main/')) return 'node module loading';
    return 'node internals (other)';
  }
  const file = url.startsWith('file://') ? url.slice('file://'.length) : url;
  const rel = path.relative(root, file);
  if (!rel.startsWith('..') && !path.isAbsolute(rel)) return `ours: ${rel.replace(/^dist\//, '')}`;
  return 'other';
}

/** The coarse group of a category: graphql-js, Apollo, pg, ours, express, node, other packages, or the category itself. */
export function groupOf(category: string): string {
  const prefixes: [string, string][] = [['graphql-js', 'graphql-js'], ['Apollo', 'Apollo'], ['pg ', 'pg'], ['ours: ', 'ours (src/)'], ['express', 'express'], ['node ', 'node internals'], ['Buffer', 'node internals'], ['native', 'node internals'], ['RegExp', 'node internals'], ['other package', 'other packages']];
  return prefixes.find(([prefix]) => category.startsWith(prefix))?.[1] ?? category;
}

/** `pg-protocol` for `…/node_modules/pg-protocol/dist/parser.js`, `@apollo/server` for a scoped one; null outside node_modules. */
function packageOf(url: string): string | null {
  const at = url.lastIndexOf('/node_modules/');
  if (at < 0) return null;
  const parts = url.slice(at + '/node_modules/'.length).split('/');
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

export interface Summary {
  /** Sampled ms of the window, idle included. */
  windowMs: number;
  /** Sampled ms of the window the process was on the CPU (all but `(idle)`). */
  busyMs: number;
  /** Self ms by category, largest first (idle left out). */
  categories: { category: string; ms: number }[];
  /** Self ms by function, largest first (idle left out). */
  selfFunctions: { name: string; category: string; ms: number }[];
  /** Inclusive ms by function (each function counted once per sample however deep it recurses), largest first. */
  inclusive: { name: string; category: string; ms: number }[];
  /** Busy ms per whole second of the profile. */
  timeline: number[];
}

/**
 * Self and inclusive time over the samples whose time (seconds from the profile's start) is in [from, to). A sample's
 * duration is the gap to the next sample (as Chrome's profiler shows it); the last one gets the gap to `endTime`.
 */
export function summarize(profile: CpuProfile, root: string, window: { from?: number; to?: number } = {}): Summary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const categoryCache = new Map<number, string>();
  const category = (id: number): string => {
    let cat = categoryCache.get(id);
    if (cat === undefined) {
      cat = categoryOf(byId.get(id)!.callFrame, root);
      categoryCache.set(id, cat);
    }
    return cat;
  };
  const times: number[] = [];
  let t = profile.startTime;
  for (const delta of profile.timeDeltas) {
    t += delta;
    times.push(t);
  }
  const fromUs = profile.startTime + (window.from ?? 0) * 1e6;
  const toUs = window.to === undefined ? Infinity : profile.startTime + window.to * 1e6;
  const self = new Map<string, number>();
  const selfByFunction = new Map<string, { category: string; ms: number }>();
  const inclusive = new Map<string, { category: string; ms: number }>();
  const timeline: number[] = [];
  let windowMs = 0;
  let busyMs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const next = i + 1 < times.length ? times[i + 1] : profile.endTime;
    const ms = Math.max(0, next - times[i]) / 1000;
    const id = profile.samples[i];
    const idle = byId.get(id)!.callFrame.functionName === IDLE;
    if (!idle) {
      const second = Math.floor((times[i] - profile.startTime) / 1e6);
      timeline[second] = (timeline[second] ?? 0) + ms;
    }
    if (times[i] < fromUs || times[i] >= toUs) continue;
    windowMs += ms;
    if (idle) continue;
    busyMs += ms;
    const cat = category(id);
    self.set(cat, (self.get(cat) ?? 0) + ms);
    const own = byId.get(id)!.callFrame;
    const ownKey = functionKey(own, root);
    const ownEntry = selfByFunction.get(ownKey) ?? { category: cat, ms: 0 };
    ownEntry.ms += ms;
    selfByFunction.set(ownKey, ownEntry);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      if (frame.functionName === '(root)') break;
      const key = functionKey(frame, root);
      if (seen.has(key)) continue;
      seen.add(key);
      const entry = inclusive.get(key) ?? { category: category(at), ms: 0 };
      entry.ms += ms;
      inclusive.set(key, entry);
    }
  }
  for (let s = 0; s < timeline.length; s++) timeline[s] = timeline[s] ?? 0;
  return {
    windowMs,
    busyMs,
    categories: [...self].map(([cat, ms]) => ({ category: cat, ms })).sort((a, b) => b.ms - a.ms),
    selfFunctions: [...selfByFunction].map(([name, e]) => ({ name, ...e })).sort((a, b) => b.ms - a.ms),
    inclusive: [...inclusive].map(([name, e]) => ({ name, ...e })).sort((a, b) => b.ms - a.ms),
    timeline,
  };
}

function functionKey(frame: CallFrame, root: string): string {
  return frame.url === '' ? frame.functionName : `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url, root)}:${frame.lineNumber + 1}`;
}

function shortUrl(url: string, root: string): string {
  const at = url.lastIndexOf('/node_modules/');
  if (at >= 0) return url.slice(at + '/node_modules/'.length);
  const file = url.startsWith('file://') ? url.slice('file://'.length) : url;
  const rel = path.relative(root, file);
  return !rel.startsWith('..') && !path.isAbsolute(rel) && url !== '' ? rel : url;
}

/** The markdown report: timeline, categories (with ms per operation when `cpuMsPerOp` is given), top functions. */
export function report(summary: Summary, options: { cpuMsPerOp?: number; top: number }): string {
  const lines: string[] = [];
  const pct = (ms: number) => `${((100 * ms) / summary.busyMs).toFixed(1)} %`;
  lines.push(`busy CPU per second of the profile (ms): ${summary.timeline.map((ms, s) => `${s}:${ms.toFixed(0)}`).join(' ')}`, '');
  lines.push(`window: ${(summary.windowMs / 1000).toFixed(1)} s sampled, ${(summary.busyMs / 1000).toFixed(2)} s on the CPU`, '');
  const perOp = options.cpuMsPerOp;
  const groups = new Map<string, number>();
  for (const { category, ms } of summary.categories) groups.set(groupOf(category), (groups.get(groupOf(category)) ?? 0) + ms);
  lines.push(`| group (self time) | ms | share of busy |${perOp === undefined ? '' : ' ms/op |'}`);
  lines.push(`|---|---|---|${perOp === undefined ? '' : '---|'}`);
  for (const [group, ms] of [...groups].sort((a, b) => b[1] - a[1])) {
    const op = perOp === undefined ? '' : ` ${((perOp * ms) / summary.busyMs).toFixed(2)} |`;
    lines.push(`| ${group} | ${ms.toFixed(0)} | ${pct(ms)} |${op}`);
  }
  lines.push('');
  lines.push(`| category (self time) | ms | share of busy |${perOp === undefined ? '' : ' ms/op |'}`);
  lines.push(`|---|---|---|${perOp === undefined ? '' : '---|'}`);
  for (const { category, ms } of summary.categories) {
    const op = perOp === undefined ? '' : ` ${((perOp * ms) / summary.busyMs).toFixed(2)} |`;
    lines.push(`| ${category} | ${ms.toFixed(0)} | ${pct(ms)} |${op}`);
  }
  const table = (title: string, rows: Summary['inclusive']) => {
    lines.push('', `| ${title} | category | ms | share of busy |`, '|---|---|---|---|');
    for (const row of rows.slice(0, options.top)) lines.push(`| \`${row.name.replace(/\|/g, '\\|')}\` | ${row.category} | ${row.ms.toFixed(0)} | ${pct(row.ms)} |`);
  };
  const notCpu = (c: string) => c === 'GC' || c.startsWith('(program)') || c === 'idle';
  table('functions by self time', summary.selfFunctions);
  table('our functions (inclusive)', summary.inclusive.filter((r) => r.category.startsWith('ours: ')));
  table('library functions (inclusive)', summary.inclusive.filter((r) => !r.category.startsWith('ours: ') && !notCpu(r.category) && !r.category.startsWith('node ') && !r.category.startsWith('native')));
  return lines.join('\n');
}

/** The folder holding package.json above this file (the repository, whether run from dist/ or from the sources). */
function repositoryRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = path.dirname(dir);
  }
  return dir;
}

function main(argv: readonly string[]): void {
  const file = argv.find((a) => !a.startsWith('--'));
  if (!file) throw new Error('usage: bench:profile-summary <file.cpuprofile> [--from=s] [--to=s] [--cpu-ms-per-op=x] [--top=n] [--root=dir]');
  const flag = (name: string): number | undefined => {
    const value = argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isFinite(n)) throw new Error(`--${name}=${value} is not a number`);
    return n;
  };
  const rootArg = argv.find((a) => a.startsWith('--root='))?.slice('--root='.length);
  const root = path.resolve(rootArg ?? repositoryRoot());
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const summary = summarize(profile, root, { from: flag('from'), to: flag('to') });
  process.stdout.write(`${report(summary, { cpuMsPerOp: flag('cpu-ms-per-op'), top: flag('top') ?? 15 })}\n`);
}

if (require.main === module) main(process.argv.slice(2));
