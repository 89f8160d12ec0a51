/**
 * The pickle opcodes of protocols 0–5 (CPython's Lib/pickletools.py), with how each one's argument is
 * laid out in the stream. The scanner walks these without executing anything.
 */
export type OpArg =
  | 'none'
  | 'u1' | 'u2' | 'i4' | 'u4' | 'u8'
  | 'line' // up to and including '\n'
  | 'line2' // two lines (GLOBAL, INST)
  | 'bytes1' | 'bytes4' | 'bytes8' // length-prefixed payloads
  | 'long1' | 'long4' // length-prefixed little-endian integers
  | 'f8';

export interface OpInfo {
  name: string;
  arg: OpArg;
  proto: number;
}

const TABLE: [string, string, OpArg, number][] = [
  ['(', 'MARK', 'none', 0], ['.', 'STOP', 'none', 0], ['0', 'POP', 'none', 0], ['1', 'POP_MARK', 'none', 1],
  ['2', 'DUP', 'none', 0], ['F', 'FLOAT', 'line', 0], ['I', 'INT', 'line', 0], ['J', 'BININT', 'i4', 1],
  ['K', 'BININT1', 'u1', 1], ['L', 'LONG', 'line', 0], ['M', 'BININT2', 'u2', 1], ['N', 'NONE', 'none', 0],
  ['P', 'PERSID', 'line', 0], ['Q', 'BINPERSID', 'none', 1], ['R', 'REDUCE', 'none', 0], ['S', 'STRING', 'line', 0],
  ['T', 'BINSTRING', 'bytes4', 1], ['U', 'SHORT_BINSTRING', 'bytes1', 1], ['V', 'UNICODE', 'line', 0],
  ['X', 'BINUNICODE', 'bytes4', 1], ['a', 'APPEND', 'none', 0], ['b', 'BUILD', 'none', 0], ['c', 'GLOBAL', 'line2', 0],
  ['d', 'DICT', 'none', 0], ['}', 'EMPTY_DICT', 'none', 1], ['e', 'APPENDS', 'none', 1], ['g', 'GET', 'line', 0],
  ['h', 'BINGET', 'u1', 1], ['i', 'INST', 'line2', 0], ['j', 'LONG_BINGET', 'u4', 1], ['l', 'LIST', 'none', 0],
  [']', 'EMPTY_LIST', 'none', 1], ['o', 'OBJ', 'none', 1], ['p', 'PUT', 'line', 0], ['q', 'BINPUT', 'u1', 1],
  ['r', 'LONG_BINPUT', 'u4', 1], ['s', 'SETITEM', 'none', 0], ['t', 'TUPLE', 'none', 0], [')', 'EMPTY_TUPLE', 'none', 1],
  ['u', 'SETITEMS', 'none', 1], ['G', 'BINFLOAT', 'f8', 1],
  ['\x80', 'PROTO', 'u1', 2], ['\x81', 'NEWOBJ', 'none', 2], ['\x82', 'EXT1', 'u1', 2], ['\x83', 'EXT2', 'u2', 2],
  ['\x84', 'EXT4', 'i4', 2], ['\x85', 'TUPLE1', 'none', 2], ['\x86', 'TUPLE2', 'none', 2], ['\x87', 'TUPLE3', 'none', 2],
  ['\x88', 'NEWTRUE', 'none', 2], ['\x89', 'NEWFALSE', 'none', 2], ['\x8a', 'LONG1', 'long1', 2], ['\x8b', 'LONG4', 'long4', 2],
  ['B', 'BINBYTES', 'bytes4', 3], ['C', 'SHORT_BINBYTES', 'bytes1', 3],
  ['\x8c', 'SHORT_BINUNICODE', 'bytes1', 4], ['\x8d', 'BINUNICODE8', 'bytes8', 4], ['\x8e', 'BINBYTES8', 'bytes8', 4],
  ['\x8f', 'EMPTY_SET', 'none', 4], ['\x90', 'ADDITEMS', 'none', 4], ['\x91', 'FROZENSET', 'none', 4],
  ['\x92', 'NEWOBJ_EX', 'none', 4], ['\x93', 'STACK_GLOBAL', 'none', 4], ['\x94', 'MEMOIZE', 'none', 4],
  ['\x95', 'FRAME', 'u8', 4],
  ['\x96', 'BYTEARRAY8', 'bytes8', 5], ['\x97', 'NEXT_BUFFER', 'none', 5], ['\x98', 'READONLY_BUFFER', 'none', 5],
];

/** Indexed by opcode byte; undefined = not an opcode (the unpickler raises). */
export const OPCODES: readonly (OpInfo | undefined)[] = (() => {
  const table: (OpInfo | undefined)[] = new Array(256).fill(undefined);
  for (const [code, name, arg, proto] of TABLE) table[code.charCodeAt(0)] = { name, arg, proto };
  return table;
})();

export const HIGHEST_PROTOCOL = 5;

/** The number a legacy (non-zip) torch.save file opens with, pickled on its own. */
export const TORCH_LEGACY_MAGIC_NUMBER = 0x1950a86a20f9469cfc6cn;
/** Pickles torch's legacy loader reads (magic, protocol, sys_info, the object, storage keys); raw storages follow. */
export const TORCH_LEGACY_PICKLES = 5;

/** An integer opcode at `at` (LONG1/LONG4 little-endian, or protocol 0/1 text INT/LONG) and where it ends. */
function integerAt(bytes: Buffer, at: number): { value: bigint; end: number } | null {
  const op = bytes[at];
  if (op === 0x8a || op === 0x8b) {
    const start = at + (op === 0x8a ? 2 : 5);
    if (start > bytes.length) return null;
    const n = op === 0x8a ? bytes[at + 1]! : bytes.readUInt32LE(at + 1);
    if (n === 0 || n > 64 || start + n > bytes.length) return null;
    let value = 0n;
    for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[start + i]!);
    if (bytes[start + n - 1]! & 0x80) value -= 1n << BigInt(8 * n);
    return { value, end: start + n };
  }
  if (op !== 0x49 && op !== 0x4c) return null;
  const nl = bytes.indexOf(0x0a, at);
  if (nl < 0 || nl - at > 64) return null;
  const text = bytes.toString('latin1', at + 1, nl).replace(/L$/, '');
  return /^[+-]?\d+$/.test(text) ? { value: BigInt(text), end: nl + 1 } : null;
}

/**
 * Whether a stream opens with the legacy torch magic-number pickle, at any protocol: `\x80\x02\x8a\x0a…`
 * from protocol 2 on (after a FRAME from 4 on), and a text `L1195…L\n.` at protocols 0 and 1, which have no
 * PROTO opcode. torch.load checks the value, not the bytes, so any integer opcode for it counts.
 */
export function startsWithTorchLegacyMagic(head: Buffer): boolean {
  let at = 0;
  if (head[at] === 0x80) at += 2;
  if (head[at] === 0x95) at += 9;
  const int = integerAt(head, at);
  return int !== null && int.value === TORCH_LEGACY_MAGIC_NUMBER && head[int.end] === 0x2e;
}
