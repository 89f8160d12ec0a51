import type { Severity } from '../domain/scanning/scan-report';
import type { ByteSource } from './byte-source';
import { ByteReader, TruncatedError } from './byte-reader';
import { FindingSink } from './finding-sink';
import { PickleStop } from './pickle-machine';
import { PickleWalk } from './pickle-walk';
import type { ScanLimits } from './scan-limits';

export interface ScanContext {
  sink: FindingSink;
  limits: ScanLimits;
}

export interface PickleStreamOptions {
  /**
   * strict: the bytes must be pickles (a .pkl, torch's data.pkl, a legacy checkpoint) and anything the
   * walk cannot follow is unscannable. probe: the bytes may be anything (a zip member, a string inside a
   * pickle); they count as a pickle only if they parse to STOP or import a plausible name on the way.
   */
  mode: 'strict' | 'probe';
  /** File offset of the stream's first byte when stream positions are file positions, else null. */
  origin: number | null;
  /** What findings point at when origin is null (the member's or payload's own offset). */
  anchor: number | null;
  /** Prefix of messages, e.g. `member archive/data.pkl: `. */
  where: string;
  depth: number;
  /**
   * Pickles expected one after another, all read; more bytes after the last one are unscannable unless rawTail.
   * In probe mode, bytes after a pickle that do not parse as one (and import nothing before failing) end the
   * stream: an unpickler reading on would raise there before running anything.
   */
  maxPickles: number;
  /** Bytes after maxPickles pickles are raw data the loader reads without unpickling (legacy torch storages). */
  rawTail?: boolean;
  /** Pickles the loader needs (legacy torch reads five): a stream ending sooner is truncated. */
  minPickles?: number;
  /** Each import as the unpickler resolves it (null when it cannot be named: a dynamic STACK_GLOBAL, EXT). */
  onImport?: (global: string | null) => void;
}

export interface PickleStreamResult {
  /** Pickles walked to their STOP. */
  pickles: number;
  /** Probe verdict: these bytes are (or start) a pickle. */
  isPickle: boolean;
  imports: number;
  calls: number;
  /** Stream offset where the last complete pickle ended. */
  end: number;
}

function describe(error: unknown): { rule: string; message: string } {
  if (error instanceof TruncatedError) return { rule: 'unscannable-truncated', message: 'pickle is truncated (ends before STOP)' };
  if (error instanceof PickleStop) {
    const rule = error.kind === 'limit' ? 'unscannable-limit' : error.kind === 'truncated' ? 'unscannable-truncated' : 'unscannable-malformed';
    return { rule, message: error.message };
  }
  throw error;
}

function newWalk(reader: ByteReader, sink: FindingSink, ctx: ScanContext, options: PickleStreamOptions): PickleWalk {
  return new PickleWalk(reader, {
    limits: ctx.limits,
    probe: options.mode === 'probe',
    offsetOf: (at: number) => (options.origin !== null ? options.origin + at : options.anchor),
    where: options.where,
    imported: options.onImport,
    report: (severity: Severity, rule, offset, message, global) => sink.add('pickle', severity, rule, offset, message, global),
    nested: (inner, offset) => scanNested(inner, offset, { sink, limits: ctx.limits }, options),
  });
}

/**
 * Walks the pickles in a stream without executing anything. Findings go to ctx.sink; in probe mode each
 * pickle's are kept aside and only passed on when its bytes turn out to be a pickle.
 */
export async function scanPickleStream(source: ByteSource | ByteReader, ctx: ScanContext, options: PickleStreamOptions): Promise<PickleStreamResult> {
  const reader = source instanceof ByteReader ? source : new ByteReader(source);
  const probe = options.mode === 'probe';
  const offsetOf = (at: number) => (options.origin !== null ? options.origin + at : options.anchor);
  const result: PickleStreamResult = { pickles: 0, isPickle: false, imports: 0, calls: 0, end: reader.offset };
  for (;;) {
    const startedAt = reader.offset;
    const found = probe ? new FindingSink(ctx.limits.maxFindings) : ctx.sink;
    const walk = newWalk(reader, found, ctx, options);
    let failure: { rule: string; message: string; limit: boolean } | null = null;
    try {
      await walk.run();
    } catch (error) {
      failure = { ...describe(error), limit: error instanceof PickleStop && error.kind === 'limit' };
    }
    result.imports += walk.imports;
    result.calls += walk.calls;
    // Malformed or cut before any import: the unpickler would have stopped there too, so nothing ran
    // (probing, these bytes are no pickle and their findings are dropped). A limit is different: the bytes
    // were a valid pickle for that long, and an import may follow.
    if (failure && probe && walk.imports === 0 && !failure.limit) break;
    result.isPickle = true;
    if (failure) {
      const which = result.pickles > 0 ? `pickle #${result.pickles + 1} at stream byte ${startedAt}: ` : '';
      found.add('pickle', 'MEDIUM', failure.rule, offsetOf(reader.offset), `${options.where}${which}${failure.message}`);
    }
    if (found !== ctx.sink) for (const f of found.result()) ctx.sink.add(f.scanner, f.severity, f.rule, f.offset, f.message, f.global);
    if (failure) break;
    result.pickles += 1;
    result.end = reader.offset;
    if (!(await readsOn(reader, result.pickles, ctx.sink, options, offsetOf))) break;
  }
  return result;
}

/** After a complete pickle: whether another one follows, or the stream ends (truncated, over the count, raw data). */
async function readsOn(reader: ByteReader, pickles: number, sink: FindingSink, options: PickleStreamOptions, offsetOf: (at: number) => number | null): Promise<boolean> {
  if (await reader.atEnd()) {
    if (pickles < (options.minPickles ?? 0)) {
      sink.add('pickle', 'MEDIUM', 'unscannable-truncated', offsetOf(reader.offset), `${options.where}stream ends after ${pickles} of its ${options.minPickles} pickles`);
    }
    return false;
  }
  if (pickles < options.maxPickles) return true;
  if (!options.rawTail) sink.add('pickle', 'MEDIUM', 'unscannable-limit', offsetOf(reader.offset), `${options.where}more than ${options.maxPickles} pickles in one stream`);
  return false;
}

/** A str/bytes payload inside a pickle: is it a pickle itself? Its findings join the file's. */
async function scanNested(source: ByteSource, offset: number | null, ctx: ScanContext, outer: PickleStreamOptions): Promise<boolean> {
  const reader = new ByteReader(source);
  if (outer.depth + 1 > ctx.limits.maxNestingDepth) {
    const head = await reader.peek(2);
    if (head[0] === 0x80 && head[1] !== undefined && head[1] <= 5) {
      ctx.sink.add('pickle', 'MEDIUM', 'unscannable-limit', offset, `${outer.where}pickle nested deeper than ${ctx.limits.maxNestingDepth} levels`);
    }
    return false;
  }
  const where = `${outer.where}pickle inside a string at ${offset ?? '?'}: `;
  const inner = await scanPickleStream(reader, ctx, { mode: 'probe', origin: null, anchor: offset, where, depth: outer.depth + 1, maxPickles: 1, rawTail: true });
  if (!inner.isPickle || inner.imports + inner.calls === 0) return false;
  ctx.sink.add('pickle', 'HIGH', 'pickle-nested', offset, `${outer.where}a string/bytes value holds a pickle that imports ${inner.imports} and calls ${inner.calls} times`);
  return true;
}
