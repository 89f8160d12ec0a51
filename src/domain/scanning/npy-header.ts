/**
 * The .npy header: a Python dict literal such as `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
 * Parsed by a small literal reader (numpy uses ast.literal_eval), never evaluated.
 */
export type PyLiteral = string | number | boolean | null | PyLiteral[] | Map<string, PyLiteral>;

export interface NpyHeader {
  descr: PyLiteral;
  fortranOrder: boolean;
  shape: number[];
}

export class NpyHeaderError extends Error {}

class LiteralReader {
  private i = 0;
  private depth = 0;

  constructor(private readonly s: string) {}

  private ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  value(): PyLiteral {
    this.ws();
    const c = this.s[this.i];
    if (c === undefined) throw new NpyHeaderError('header ends early');
    if (++this.depth > 32) throw new NpyHeaderError('header nests too deeply');
    try {
      if (c === '{') return this.dict();
      if (c === '[' || c === '(') return this.sequence(c === '[' ? ']' : ')');
      if (c === "'" || c === '"') return this.string(c);
      const word = /^(True|False|None|-?\d+)/.exec(this.s.slice(this.i, this.i + 24));
      if (!word) throw new NpyHeaderError(`unexpected character at ${this.i}`);
      this.i += word[1]!.length;
      return word[1] === 'True' ? true : word[1] === 'False' ? false : word[1] === 'None' ? null : Number(word[1]);
    } finally {
      this.depth -= 1;
    }
  }

  private string(quote: string): string {
    const end = this.s.indexOf(quote, this.i + 1);
    if (end < 0) throw new NpyHeaderError('unterminated string');
    const text = this.s.slice(this.i + 1, end);
    if (text.includes('\\')) throw new NpyHeaderError('escapes in header strings are not expected');
    this.i = end + 1;
    return text;
  }

  private sequence(close: string): PyLiteral[] {
    this.i++;
    const items: PyLiteral[] = [];
    for (;;) {
      this.ws();
      if (this.s[this.i] === close) {
        this.i++;
        return items;
      }
      items.push(this.value());
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== close) throw new NpyHeaderError(`expected , or ${close} at ${this.i}`);
    }
  }

  private dict(): Map<string, PyLiteral> {
    this.i++;
    const map = new Map<string, PyLiteral>();
    for (;;) {
      this.ws();
      if (this.s[this.i] === '}') {
        this.i++;
        return map;
      }
      const key = this.value();
      if (typeof key !== 'string') throw new NpyHeaderError('dict key is not a string');
      this.ws();
      if (this.s[this.i++] !== ':') throw new NpyHeaderError(`expected : at ${this.i - 1}`);
      map.set(key, this.value());
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== '}') throw new NpyHeaderError(`expected , or } at ${this.i}`);
    }
  }

  end(): void {
    this.ws();
    if (this.i !== this.s.length) throw new NpyHeaderError('trailing characters after the header dict');
  }
}

export function parseNpyHeader(text: string): NpyHeader {
  const reader = new LiteralReader(text);
  const dict = reader.value();
  reader.end();
  if (!(dict instanceof Map)) throw new NpyHeaderError('header is not a dict');
  const keys = [...dict.keys()].sort().join(',');
  if (keys !== 'descr,fortran_order,shape') throw new NpyHeaderError(`header keys are ${keys}`);
  const shape = dict.get('shape');
  const fortran = dict.get('fortran_order');
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) throw new NpyHeaderError('shape is not a tuple of sizes');
  if (typeof fortran !== 'boolean') throw new NpyHeaderError('fortran_order is not a bool');
  return { descr: dict.get('descr')!, fortranOrder: fortran, shape: shape as number[] };
}

/** Whether any field of the dtype holds Python objects (then the data is a pickle). */
export function hasObjectField(descr: PyLiteral): boolean {
  if (typeof descr === 'string') return /^[<>|=]?O\d*$/.test(descr);
  if (Array.isArray(descr)) return descr.some((d) => hasObjectField(d));
  return false;
}

/** Bytes per element of a simple dtype string; null for structured or unknown ones. */
export function simpleItemSize(descr: PyLiteral): number | null {
  if (typeof descr !== 'string') return null;
  const time = /^[<>|=]?[Mm]8(\[\w+\])?$/.exec(descr);
  if (time) return 8;
  const m = /^[<>|=]?([?bBiufcSaUV])(\d*)$/.exec(descr);
  if (!m) return null;
  const size = m[2] === '' ? (m[1] === '?' || m[1] === 'b' || m[1] === 'B' ? 1 : NaN) : Number(m[2]);
  if (!Number.isFinite(size)) return null;
  return m[1] === 'U' ? size * 4 : size;
}
