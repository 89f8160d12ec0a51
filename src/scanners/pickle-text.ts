import { StringDecoder } from 'node:string_decoder';
import type { ByteSource } from './byte-source';

/** Protocol 0 STRING: a quoted Python bytes repr, decoded as `codecs.escape_decode` does; null if not quoted. */
export function decodeStringLine(line: Buffer): Buffer | null {
  if (line.length < 2) return null;
  const quote = line[0];
  if ((quote !== 0x27 && quote !== 0x22) || line[line.length - 1] !== quote) return null;
  const out = Buffer.allocUnsafe(line.length);
  let n = 0;
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, '\\': 92, "'": 39, '"': 34 };
  for (let i = 1; i < line.length - 1; i++) {
    const c = line[i]!;
    if (c !== 0x5c || i + 1 >= line.length - 1) {
      out[n++] = c;
      continue;
    }
    const e = String.fromCharCode(line[++i]!);
    if (simple[e] !== undefined && Object.hasOwn(simple, e)) out[n++] = simple[e]!;
    else if (e === 'x' && i + 2 < line.length) {
      out[n++] = parseInt(line.toString('latin1', i + 1, i + 3), 16) & 0xff;
      i += 2;
    } else if (e >= '0' && e <= '7') {
      let digits = e;
      while (digits.length < 3 && i + 1 < line.length - 1 && line[i + 1]! >= 0x30 && line[i + 1]! <= 0x37) digits += String.fromCharCode(line[++i]!);
      out[n++] = parseInt(digits, 8) & 0xff;
    } else if (e === '\n') continue;
    else {
      out[n++] = 0x5c;
      out[n++] = e.charCodeAt(0);
    }
  }
  return out.subarray(0, n);
}

/** Protocol 0 UNICODE: raw-unicode-escape (only \uXXXX and \UXXXXXXXX are escapes). */
export function decodeRawUnicodeEscape(line: Buffer): string {
  return line.toString('latin1').replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_m, u4: string | undefined, u8: string | undefined) =>
    String.fromCodePoint(Math.min(parseInt(u4 ?? u8 ?? '0', 16), 0x10ffff)),
  );
}

/**
 * A str's code points as bytes when all are below 256: how protocol 2 carries bytes
 * (`_codecs.encode(s, 'latin1')`), and so where an inner binary pickle hides in a string. null otherwise.
 */
export function latin1Bytes(text: string): Buffer | null {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return null;
  return Buffer.from(text, 'latin1');
}

/** The same, streaming: UTF-8 in, latin-1 bytes out; ends early at the first code point above 255. */
export class Latin1FromUtf8Source implements ByteSource {
  private readonly decoder = new StringDecoder('utf8');
  private done = false;

  constructor(private readonly inner: ByteSource) {}

  async read(max: number): Promise<Buffer | null> {
    while (!this.done) {
      const chunk = await this.inner.read(max);
      if (!chunk) {
        this.done = true;
        return null;
      }
      const bytes = latin1Bytes(this.decoder.write(chunk));
      if (!bytes) {
        this.done = true;
        return null;
      }
      if (bytes.length > 0) return bytes;
    }
    return null;
  }

  async skip(n: number): Promise<number> {
    let skipped = 0;
    while (skipped < n) {
      const chunk = await this.read(n - skipped);
      if (!chunk) break;
      skipped += chunk.length;
    }
    return skipped;
  }
}

export function utf8(bytes: Buffer): string {
  return bytes.toString('utf8');
}

/** A memo/GET/PUT index or INT written as decimal text; NaN when it is not one. */
export function decimal(line: Buffer): number {
  const text = line.toString('latin1').trim();
  return /^[+-]?\d{1,15}$/.test(text) ? Number(text) : NaN;
}
