import { OPCODES } from '../domain/scanning/pickle-opcodes';
import type { ByteReader } from './byte-reader';
import { LEAF, type PickleMachine, PValue } from './pickle-machine';

const KEPT_TEXT = 4096;

/**
 * The common opcodes without awaiting: their arguments are already buffered (run() keeps FAST_WINDOW
 * bytes ahead). Returns false, having consumed nothing, when the general path must handle it.
 */
export function fastStep(r: ByteReader, m: PickleMachine, code: number, reduce: (fn: PValue, args: PValue) => PValue): boolean {
  if (r.available < 8) return false;
  switch (code) {
    case 0x28: m.mark(); return true; // MARK
    case 0x4e: case 0x88: case 0x89: m.push(LEAF.none); return true; // NONE NEWTRUE NEWFALSE
    case 0x4b: r.u8(); m.push(LEAF.num); return true; // BININT1
    case 0x4d: r.u16(); m.push(LEAF.num); return true; // BININT2
    case 0x4a: r.i32(); m.push(LEAF.num); return true; // BININT
    case 0x47: r.take(8); m.push(LEAF.num); return true; // BINFLOAT
    case 0x71: m.put(r.u8()); return true; // BINPUT
    case 0x72: m.put(r.u32()); return true; // LONG_BINPUT
    case 0x68: m.push(m.get(r.u8())); return true; // BINGET
    case 0x6a: m.push(m.get(r.u32())); return true; // LONG_BINGET
    case 0x94: m.memoize(); return true; // MEMOIZE
    case 0x95: r.take(8); return true; // FRAME
    case 0x29: m.push(m.tuple([])); return true; // EMPTY_TUPLE
    case 0x5d: m.push(m.container('list', [])); return true; // EMPTY_LIST
    case 0x7d: m.push(m.container('dict', [])); return true; // EMPTY_DICT
    case 0x85: m.push(m.tuple([m.pop()])); return true; // TUPLE1
    case 0x86: { const b = m.pop(); m.push(m.tuple([m.pop(), b])); return true; } // TUPLE2
    case 0x87: { const c = m.pop(); const b = m.pop(); m.push(m.tuple([m.pop(), b, c])); return true; } // TUPLE3
    case 0x74: m.push(m.tuple(m.popMark())); return true; // TUPLE
    case 0x61: { const v = m.pop(); m.add(m.top(), [v]); return true; } // APPEND
    case 0x65: { const items = m.popMark(); m.add(m.top(), items); return true; } // APPENDS
    case 0x73: { const v = m.pop(); const k = m.pop(); m.add(m.top(), [k, v]); return true; } // SETITEM
    case 0x52: { const args = m.pop(); m.push(reduce(m.pop(), args)); return true; }
    case 0x51: m.pop(); m.push(LEAF.other); return true; // BINPERSID
    case 0x8c: case 0x43: case 0x55: return shortPayload(r, m, code, r.peekByte(0), 1);
    case 0x58: case 0x42: return shortPayload(r, m, code, r.peekU32(), 4);
    default: return false;
  }
}

/** A str/bytes fully in the buffer whose first byte cannot start a pickle: no nested probe needed. */
function shortPayload(r: ByteReader, m: PickleMachine, code: number, length: number, prefix: number): boolean {
  if (r.available < prefix + length || (length >= 2 && OPCODES[r.peekByte(prefix)] !== undefined)) return false;
  if (code === 0x43 || code === 0x42) {
    r.skipBuffered(prefix + length);
    m.push(LEAF.bytes);
    return true;
  }
  const utf8 = code === 0x8c || code === 0x58;
  // A multi-byte first character may decode to U+0080–U+00FF, whose latin-1 byte is an opcode: slow path.
  if (utf8 && length >= 2 && r.peekByte(prefix) >= 0x80) return false;
  r.skipBuffered(prefix);
  const text = length <= KEPT_TEXT ? r.text(length, utf8 ? 'utf8' : 'latin1') : (r.skipBuffered(length), null);
  m.push(new PValue('str', 1, text));
  return true;
}
