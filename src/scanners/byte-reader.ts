import type { ByteSource } from './byte-source';

/** Reads start small (probing a zip member needs a few bytes) and grow while a stream keeps being consumed. */
const FIRST_CHUNK = 512;
const MAX_CHUNK = 1024 * 1024;
const EMPTY = Buffer.alloc(0);

/** Thrown when the stream ends before a value it declares: the file is truncated. */
export class TruncatedError extends Error {
  constructor(readonly offset: number) {
    super(`stream ends at byte ${offset} in the middle of a value`);
  }
}

/**
 * Buffered reads over a ByteSource. Callers `await fill(n)` before synchronous reads, which keeps the
 * opcode loop cheap (no promise per byte) while only a bounded window of the stream is in memory.
 */
export class ByteReader {
  private buf: Buffer = EMPTY;
  private pos = 0;
  /** Stream offset of buf[0]. */
  private base = 0;
  private ended = false;
  private chunk = FIRST_CHUNK;

  constructor(private readonly source: ByteSource) {}

  get offset(): number {
    return this.base + this.pos;
  }

  get available(): number {
    return this.buf.length - this.pos;
  }

  /** Buffers at least n bytes; false if the stream ends first. */
  async fill(n: number): Promise<boolean> {
    while (this.buf.length - this.pos < n) {
      if (this.ended) return false;
      const chunk = await this.source.read(Math.max(this.chunk, n - this.available));
      this.chunk = Math.min(this.chunk * 2, MAX_CHUNK);
      if (!chunk || chunk.length === 0) {
        this.ended = true;
        return false;
      }
      const rest = this.buf.subarray(this.pos);
      this.base += this.pos;
      this.pos = 0;
      this.buf = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
    }
    return true;
  }

  async need(n: number): Promise<void> {
    if (this.buf.length - this.pos < n && !(await this.fill(n))) throw new TruncatedError(this.offset);
  }

  async atEnd(): Promise<boolean> {
    return !(await this.fill(1));
  }

  /** Looks at up to n upcoming bytes without consuming them. */
  async peek(n: number): Promise<Buffer> {
    await this.fill(n);
    return this.buf.subarray(this.pos, this.pos + Math.min(n, this.available));
  }

  /** Byte at pos + i (buffered). */
  peekByte(i: number): number {
    return this.buf[this.pos + i] ?? -1;
  }

  peekU32(): number {
    return this.buf.readUInt32LE(this.pos);
  }

  /** Consumes n buffered bytes. */
  skipBuffered(n: number): void {
    this.pos += n;
  }

  /** n buffered bytes decoded, without making a Buffer view first. */
  text(n: number, encoding: 'utf8' | 'latin1'): string {
    const out = this.buf.toString(encoding, this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  u8(): number {
    return this.buf[this.pos++]!;
  }

  u16(): number {
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  i32(): number {
    const v = this.buf.readInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  u64(): bigint {
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }

  /** n buffered bytes (call need(n) first); a view, valid until the next fill. */
  take(n: number): Buffer {
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A line without its '\n'; null when it is longer than `max`; TruncatedError when the stream ends first. */
  async line(max: number): Promise<Buffer | null> {
    let from = this.pos;
    for (;;) {
      const nl = this.buf.indexOf(0x0a, from);
      if (nl >= 0 && nl - this.pos <= max) {
        const out = this.buf.subarray(this.pos, nl);
        this.pos = nl + 1;
        return out;
      }
      if (nl >= 0 || this.available > max) return null;
      const had = this.available;
      if (!(await this.fill(had + 1))) throw new TruncatedError(this.offset + had);
      from = this.pos + had;
    }
  }

  async skip(n: number): Promise<void> {
    const inBuffer = Math.min(n, this.available);
    this.pos += inBuffer;
    let rest = n - inBuffer;
    if (rest === 0) return;
    this.base += this.buf.length;
    this.buf = EMPTY;
    this.pos = 0;
    while (rest > 0) {
      const skipped = await this.source.skip(rest);
      if (skipped === 0) throw new TruncatedError(this.base);
      this.base += skipped;
      rest -= skipped;
    }
  }

  /** The next up to `limit` bytes as a source of their own, read through this reader's buffer. */
  asSource(): ByteSource {
    return {
      read: async (max) => {
        if (this.available === 0 && !(await this.fill(1))) return null;
        return this.take(Math.min(max, this.available));
      },
      skip: async (n) => {
        const before = this.offset;
        try {
          await this.skip(n);
        } catch (error) {
          if (!(error instanceof TruncatedError)) throw error;
        }
        return this.offset - before;
      },
    };
  }
}
