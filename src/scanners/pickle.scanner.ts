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
  /** Pickles expected one after another; more bytes after the last one are unscannable unless rawTail. */
  maxPickles: number;
  /** Bytes after maxPickles pickles are raw data the loader reads without unpickling (legacy torch storages). */
  rawTail?: boolean;
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

/**
 * Walks the pickles in a stream without executing anything. Findings go to ctx.sink; in probe mode they
 * are kept aside and only passed on when the bytes turn out to be a pickle.
 */
export async function scanPickleStream(source: ByteSource | ByteReader, ctx: ScanContext, options: PickleStreamOptions): Promise<PickleStreamResult> {
  const reader = source instanceof ByteReader ? source : new ByteReader(source);
  const probe = options.mode === 'probe';
  const sink = probe ? new FindingSink(ctx.limits.maxFindings) : ctx.sink;
  const offsetOf = (at: number) => (options.origin !== null ? options.origin + at : options.anchor);
  const result: PickleStreamResult = { pickles: 0, isPickle: false, imports: 0, calls: 0, end: reader.offset };
  for (;;) {
    const startedAt = reader.offset;
    const walk = new PickleWalk(reader, {
      limits: ctx.limits,
      probe,
      offsetOf,
      where: options.where,
      report: (severity: Severity, rule, offset, message, global) => sink.add('pickle', severity, rule, offset, message, global),
      nested: (inner, offset) => scanNested(inner, offset, { sink, limits: ctx.limits }, options),
    });
    try {
      await walk.run();
    } catch (error) {
      const { rule, message } = describe(error);
      result.imports += walk.imports;
      result.calls += walk.calls;
      // Malformed or cut before any import: the unpickler would have stopped there too, so nothing ran.
      // A limit is different: the bytes were a valid pickle for that long, and an import may follow.
      const limit = error instanceof PickleStop && error.kind === 'limit';
      if (probe && result.pickles === 0 && walk.imports === 0 && !limit) return result;
      const which = result.pickles > 0 ? `pickle #${result.pickles + 1} at stream byte ${startedAt}: ` : '';
      sink.add('pickle', 'MEDIUM', rule, offsetOf(reader.offset), `${options.where}${which}${message}`);
      result.isPickle = true;
      break;
    }
    result.pickles += 1;
    result.imports += walk.imports;
    result.calls += walk.calls;
    result.end = reader.offset;
    result.isPickle = true;
    if (probe || (await reader.atEnd())) break;
    if (result.pickles >= options.maxPickles) {
      if (!options.rawTail) sink.add('pickle', 'MEDIUM', 'unscannable-limit', offsetOf(reader.offset), `${options.where}more than ${options.maxPickles} pickles in one stream`);
      break;
    }
  }
  if (probe && result.isPickle) for (const f of sink.result()) ctx.sink.add(f.scanner, f.severity, f.rule, f.offset, f.message, f.global);
  return result;
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
  const inner = await scanPickleStream(reader, ctx, { mode: 'probe', origin: null, anchor: offset, where, depth: outer.depth + 1, maxPickles: 1 });
  if (!inner.isPickle || inner.imports + inner.calls === 0) return false;
  ctx.sink.add('pickle', 'HIGH', 'pickle-nested', offset, `${outer.where}a string/bytes value holds a pickle that imports ${inner.imports} and calls ${inner.calls} times`);
  return true;
}
