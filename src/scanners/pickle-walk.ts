import { classifyImport, isPlausibleGlobal, resolveGlobalName } from '../domain/scanning/pickle-policy';
import { OPCODES } from '../domain/scanning/pickle-opcodes';
import { excerpt, type Severity } from '../domain/scanning/scan-report';
import { BufferSource, type ByteSource, LimitedSource } from './byte-source';
import type { ByteReader } from './byte-reader';
import { fastStep } from './pickle-fast-step';
import { LEAF, PickleMachine, PickleStop, PValue } from './pickle-machine';
import { decimal, decodeRawUnicodeEscape, decodeStringLine, Latin1FromUtf8Source, latin1Bytes } from './pickle-text';
import type { ScanLimits } from './scan-limits';

export interface WalkHooks {
  limits: ScanLimits;
  probe: boolean;
  /** Where a finding points: file offset for a stream position, or a fixed anchor. */
  offsetOf(streamOffset: number): number | null;
  report(severity: Severity, rule: string, offset: number | null, message: string, global?: string): void;
  /** Scans a str/bytes payload for a pickle inside; true when it holds one that imports or calls. */
  nested(source: ByteSource, offset: number | null): Promise<boolean>;
  /** Told each import as resolved (null: a dynamic one), for callers that judge a pickle by what it imports. */
  imported?: (global: string | null) => void;
  where: string;
}

const MAX_GLOBAL_LINE = 4096;
const KEPT_TEXT = 4096;
const FLOAT_LINE = /^[+-]?((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|inf|infinity|nan)$/i;
const INT_LINE = /^[+-]?\d+L?$/;
/** Bytes kept buffered ahead of each opcode so the common ones run without awaiting (fastStep). */
const FAST_WINDOW = 64;

/**
 * Whether bytes could be a pickle that imports something: they must start with an opcode and hold a line
 * (GLOBAL/INST operands), a STACK_GLOBAL or an EXT opcode. Tensor names, devices and storage keys are
 * skipped without a probe.
 */
function mayHoldImport(bytes: Buffer): boolean {
  if (bytes.length < 2 || OPCODES[bytes[0]!] === undefined) return false;
  return bytes.includes(0x0a) || bytes.includes(0x93) || bytes.includes(0x82) || bytes.includes(0x83) || bytes.includes(0x84);
}

/** Walks one pickle, opcode by opcode, to its STOP. Throws PickleStop or TruncatedError when it cannot. */
export class PickleWalk {
  imports = 0;
  calls = 0;
  opcodes = 0;
  private readonly m: PickleMachine;
  /** Offset of the opcode being run, for findings raised from fastStep. */
  private at = 0;
  private readonly reduce = (fn: PValue, args: PValue): PValue => this.call(fn, args, this.at, 'REDUCE');

  constructor(
    private readonly r: ByteReader,
    private readonly h: WalkHooks,
  ) {
    this.m = new PickleMachine(h.limits);
  }

  async run(): Promise<void> {
    const { r, m, h } = this;
    const start = r.offset;
    const expansionFloor = 1_000_000;
    for (;;) {
      if (r.available < FAST_WINDOW) {
        await r.fill(FAST_WINDOW); // fewer only at the end of the stream
        await r.need(1);
      }
      const at = r.offset;
      const code = r.u8();
      const op = OPCODES[code];
      if (!op) throw new PickleStop('malformed', `invalid opcode 0x${code.toString(16).padStart(2, '0')} at byte ${at}`);
      if (++this.opcodes > h.limits.maxOpcodes) throw new PickleStop('limit', `more than ${h.limits.maxOpcodes} opcodes`);
      if (op.name === 'STOP') {
        m.pop();
        return;
      }
      this.at = at;
      if (!fastStep(r, m, code, this.reduce)) await this.step(op.name, at);
      if (m.maxWeight > expansionFloor && m.maxWeight > h.limits.maxExpansionRatio * (r.offset - start)) {
        throw new PickleStop('limit', `object graph expands to ${m.maxWeight.toExponential(2)} references from ${r.offset - start} bytes`);
      }
    }
  }

  private async step(name: string, at: number): Promise<void> {
    const { r, m } = this;
    switch (name) {
      case 'MARK': return m.mark();
      case 'POP': if (m.stack.length > 0) m.pop(); else m.popMark(); return;
      case 'POP_MARK': m.popMark(); return;
      case 'DUP': return m.push(m.top());
      case 'FLOAT': return this.numberLine(FLOAT_LINE);
      case 'INT': case 'LONG': return this.numberLine(INT_LINE);
      case 'BININT': case 'BINFLOAT': case 'BININT2': case 'BININT1': {
        const n = name === 'BININT' ? 4 : name === 'BINFLOAT' ? 8 : name === 'BININT2' ? 2 : 1;
        await r.need(n);
        r.take(n);
        return m.push(LEAF.num);
      }
      case 'LONG1': case 'LONG4': {
        const n = await this.length(name === 'LONG1' ? 1 : 4);
        await r.skip(n);
        return m.push(LEAF.num);
      }
      case 'NONE': case 'NEWTRUE': case 'NEWFALSE': return m.push(LEAF.none);
      case 'PERSID': await this.line(this.h.limits.maxInMemoryPayload); return m.push(LEAF.other);
      case 'BINPERSID': m.pop(); return m.push(LEAF.other);
      case 'REDUCE': { const args = m.pop(); return m.push(this.call(m.pop(), args, at, name)); }
      case 'NEWOBJ': { const args = m.pop(); return m.push(this.call(m.pop(), args, at, name)); }
      case 'NEWOBJ_EX': { m.pop(); const args = m.pop(); return m.push(this.call(m.pop(), args, at, name)); }
      case 'OBJ': {
        const items = m.popMark();
        const cls = items.shift();
        if (!cls) throw new PickleStop('malformed', 'OBJ without a class');
        return m.push(this.call(cls, m.tuple(items), at, name));
      }
      case 'INST': {
        const cls = await this.global(at);
        return m.push(this.call(cls, m.tuple(m.popMark()), at, name));
      }
      case 'GLOBAL': return m.push(await this.global(at));
      case 'STACK_GLOBAL': {
        const attr = m.pop();
        const module = m.pop();
        // CPython refuses non-str operands; bytes being probed stop there without importing anything.
        if (this.h.probe && (module.k !== 'str' || attr.k !== 'str')) throw new PickleStop('malformed', 'STACK_GLOBAL operands are not str');
        if (module.k !== 'str' || attr.k !== 'str' || module.text === null || attr.text === null) {
          this.h.report('CRITICAL', 'pickle-unresolved-global', this.h.offsetOf(at), `${this.h.where}STACK_GLOBAL operands are not literal strings (${module.k}, ${attr.k}): a dynamic import`);
          this.imports += 1;
          this.h.imported?.(null);
          return m.push(new PValue('global'));
        }
        return m.push(this.resolve(module.text, attr.text, at));
      }
      case 'EXT1': case 'EXT2': case 'EXT4': {
        // The extension registry is empty unless the loading program fills it: probed bytes stop here.
        if (this.h.probe) throw new PickleStop('malformed', `${name} outside a known pickle`);
        await r.need(name === 'EXT1' ? 1 : name === 'EXT2' ? 2 : 4);
        r.take(name === 'EXT1' ? 1 : name === 'EXT2' ? 2 : 4);
        this.imports += 1;
        this.h.imported?.(null);
        this.h.report('HIGH', 'pickle-extension-import', this.h.offsetOf(at), `${this.h.where}${name} imports through the copyreg extension registry`);
        return m.push(new PValue('global'));
      }
      case 'BUILD': {
        m.pop();
        if (m.top().k === 'global') {
          this.h.report('HIGH', 'pickle-build-on-global', this.h.offsetOf(at), `${this.h.where}BUILD sets state on an imported ${m.top().text ?? 'global'} itself`, m.top().text ?? undefined);
        }
        return;
      }
      case 'APPEND': { const v = m.pop(); return m.add(m.top(), [v]); }
      case 'APPENDS': case 'ADDITEMS': { const items = m.popMark(); return m.add(m.top(), items); }
      case 'SETITEM': { const v = m.pop(); const k = m.pop(); return m.add(m.top(), [k, v]); }
      case 'SETITEMS': {
        const items = m.popMark();
        if (items.length % 2 !== 0) throw new PickleStop('malformed', 'SETITEMS with an odd number of items');
        return m.add(m.top(), items);
      }
      case 'DICT': {
        const items = m.popMark();
        if (items.length % 2 !== 0) throw new PickleStop('malformed', 'DICT with an odd number of items');
        return m.push(m.container('dict', items));
      }
      case 'EMPTY_DICT': return m.push(m.container('dict', []));
      case 'LIST': return m.push(m.container('list', m.popMark()));
      case 'EMPTY_LIST': return m.push(m.container('list', []));
      case 'EMPTY_SET': return m.push(m.container('set', []));
      case 'FROZENSET': return m.push(m.container('set', m.popMark()));
      case 'TUPLE': return m.push(m.tuple(m.popMark()));
      case 'EMPTY_TUPLE': return m.push(m.tuple([]));
      case 'TUPLE1': case 'TUPLE2': case 'TUPLE3': {
        const n = name === 'TUPLE1' ? 1 : name === 'TUPLE2' ? 2 : 3;
        const items: PValue[] = [];
        for (let i = 0; i < n; i++) items.unshift(m.pop());
        return m.push(m.tuple(items));
      }
      case 'PUT': return m.put(this.index(await this.line(64)));
      case 'BINPUT': await r.need(1); return m.put(r.u8());
      case 'LONG_BINPUT': await r.need(4); return m.put(r.u32());
      case 'MEMOIZE': return m.memoize();
      case 'GET': return m.push(m.get(this.index(await this.line(64))));
      case 'BINGET': await r.need(1); return m.push(m.get(r.u8()));
      case 'LONG_BINGET': await r.need(4); return m.push(m.get(r.u32()));
      case 'STRING': {
        const bytes = decodeStringLine(await this.line(this.h.limits.maxInMemoryPayload));
        if (!bytes) throw new PickleStop('malformed', 'STRING argument is not quoted');
        return m.push(await this.inMemory(bytes, 'str', at));
      }
      case 'UNICODE': {
        const text = decodeRawUnicodeEscape(await this.line(this.h.limits.maxInMemoryPayload));
        return m.push(await this.textValue(text, at));
      }
      case 'BINSTRING': return m.push(await this.payload(await this.length(4), 'str', at));
      case 'SHORT_BINSTRING': return m.push(await this.payload(await this.length(1), 'str', at));
      case 'BINBYTES': return m.push(await this.payload(await this.length(4), 'bytes', at));
      case 'SHORT_BINBYTES': return m.push(await this.payload(await this.length(1), 'bytes', at));
      case 'BINBYTES8': case 'BYTEARRAY8': return m.push(await this.payload(await this.length(8), 'bytes', at));
      case 'BINUNICODE': return m.push(await this.payload(await this.length(4), 'utf8', at));
      case 'SHORT_BINUNICODE': return m.push(await this.payload(await this.length(1), 'utf8', at));
      case 'BINUNICODE8': return m.push(await this.payload(await this.length(8), 'utf8', at));
      case 'PROTO': {
        await r.need(1);
        const proto = r.u8();
        if (proto > 5) throw new PickleStop('malformed', `unsupported pickle protocol ${proto}`);
        return;
      }
      case 'FRAME': await r.need(8); r.take(8); return;
      case 'NEXT_BUFFER': return m.push(LEAF.other);
      case 'READONLY_BUFFER': m.top(); return;
      default: throw new PickleStop('malformed', `unhandled opcode ${name}`);
    }
  }

  private async line(max: number): Promise<Buffer> {
    const line = await this.r.line(max);
    if (line === null) throw new PickleStop('limit', `line argument longer than ${max} bytes`);
    return line;
  }

  private async numberLine(pattern: RegExp): Promise<void> {
    const text = (await this.line(4096)).toString('latin1').trim();
    if (!pattern.test(text)) throw new PickleStop('malformed', `"${excerpt(text, 20)}" is not a number`);
    this.m.push(LEAF.num);
  }

  private index(line: Buffer): number {
    const n = decimal(line);
    if (Number.isNaN(n)) throw new PickleStop('malformed', 'memo index is not a number');
    return n;
  }

  private async length(size: 1 | 4 | 8): Promise<number> {
    await this.r.need(size);
    const n = size === 1 ? this.r.u8() : size === 4 ? this.r.i32() : this.r.u64();
    if (typeof n === 'bigint' ? n > BigInt(Number.MAX_SAFE_INTEGER) : n < 0) throw new PickleStop('malformed', `impossible length ${n}`);
    return Number(n);
  }

  private async global(at: number): Promise<PValue> {
    const module = (await this.globalLine()).toString('utf8');
    const attr = (await this.globalLine()).toString('utf8');
    return this.resolve(module, attr, at);
  }

  private async globalLine(): Promise<Buffer> {
    const line = await this.r.line(MAX_GLOBAL_LINE);
    if (line === null) throw new PickleStop(this.h.probe ? 'malformed' : 'limit', 'GLOBAL operand longer than 4096 bytes');
    return line;
  }

  private resolve(module: string, attr: string, at: number): PValue {
    // Probing bytes that may not be a pickle at all: only identifier-shaped names count as imports.
    if (this.h.probe && !isPlausibleGlobal(module, attr)) throw new PickleStop('malformed', 'not an importable name');
    this.imports += 1;
    this.h.imported?.(resolveGlobalName(module, attr));
    const verdict = classifyImport(module, attr);
    if (verdict) {
      const why = verdict.rule === 'pickle-suspicious-import' ? 'not on the allowlist' : verdict.rule === 'pickle-attribute-traversal' ? 'walks dunder attributes' : 'known dangerous';
      this.h.report(verdict.severity, verdict.rule, this.h.offsetOf(at), `${this.h.where}imports ${excerpt(verdict.global)} (${why})`, excerpt(verdict.global, 200));
      return new PValue('global', 1, verdict.global);
    }
    return new PValue('global', 1, `${module}.${attr}`);
  }

  private call(fn: PValue, args: PValue, at: number, how: string): PValue {
    this.calls += 1;
    if (fn.k !== 'global') {
      this.h.report('HIGH', 'pickle-indirect-call', this.h.offsetOf(at), `${this.h.where}${how} calls a ${fn.k} value, not an imported global (call result or memo trick)`);
    } else if (fn.text === '_codecs.encode' && args.items?.[0]?.nested) {
      this.h.report('CRITICAL', 'pickle-codecs-inner-pickle', this.h.offsetOf(at), `${this.h.where}_codecs.encode rebuilds bytes that are themselves a pickle`, '_codecs.encode');
    }
    return new PValue('call', 1 + args.w, fn.text);
  }

  /** A length-prefixed str or bytes: small ones in memory, large ones streamed past (probed on the way). */
  private async payload(n: number, kind: 'str' | 'bytes' | 'utf8', at: number): Promise<PValue> {
    const { r, h } = this;
    if (n <= h.limits.maxInMemoryPayload) {
      await r.need(n);
      const bytes = r.take(n);
      return kind === 'utf8' ? this.textValue(bytes.toString('utf8'), at) : this.inMemory(bytes, kind, at);
    }
    const limited = new LimitedSource(r.asSource(), n);
    const nested = await h.nested(kind === 'utf8' ? new Latin1FromUtf8Source(limited) : limited, h.offsetOf(r.offset));
    await r.skip(limited.left);
    return new PValue(kind === 'bytes' ? 'bytes' : 'str', 1, null, nested);
  }

  private async inMemory(bytes: Buffer, kind: 'str' | 'bytes', at: number): Promise<PValue> {
    const nested = mayHoldImport(bytes) && (await this.h.nested(new BufferSource(bytes), this.h.offsetOf(at)));
    if (kind === 'bytes') return nested ? new PValue('bytes', 1, null, true) : LEAF.bytes;
    // STRING/BINSTRING become str in Python 3 (ASCII): their text can name a module for STACK_GLOBAL.
    return new PValue('str', 1, bytes.length <= KEPT_TEXT ? bytes.toString('latin1') : null, nested);
  }

  private async textValue(text: string, at: number): Promise<PValue> {
    const bytes = text.length >= 2 ? latin1Bytes(text) : null;
    const nested = bytes !== null && mayHoldImport(bytes) && (await this.h.nested(new BufferSource(bytes), this.h.offsetOf(at)));
    return new PValue('str', 1, text.length <= KEPT_TEXT ? text : null, nested);
  }
}
