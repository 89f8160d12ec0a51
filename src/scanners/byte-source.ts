import type { FileHandle } from 'node:fs/promises';

/**
 * A forward-only source of bytes: a range of a file, a decompressed zip member, an in-memory payload.
 * Scanners pull what they need and skip the rest, so a multi-GiB tensor is never read into memory.
 */
export interface ByteSource {
  /** The next chunk (at most about `max` bytes), or null at the end. */
  read(max: number): Promise<Buffer | null>;
  /** Skips up to n bytes; returns how many were skipped (fewer only at the end). */
  skip(n: number): Promise<number>;
}

/** Shared by every source of one scan, so the report can say how many bytes were actually read. */
export interface ReadCounter {
  bytes: number;
}

export class FileRangeSource implements ByteSource {
  private position: number;

  constructor(
    private readonly file: FileHandle,
    start: number,
    private readonly end: number,
    private readonly counter: ReadCounter,
  ) {
    this.position = start;
  }

  async read(max: number): Promise<Buffer | null> {
    const n = Math.min(max, this.end - this.position);
    if (n <= 0) return null;
    const buffer = Buffer.allocUnsafe(n);
    const { bytesRead } = await this.file.read(buffer, 0, n, this.position);
    if (bytesRead === 0) return null; // the file shrank under us: the caller sees a truncation
    this.position += bytesRead;
    this.counter.bytes += bytesRead;
    return bytesRead === n ? buffer : buffer.subarray(0, bytesRead);
  }

  async skip(n: number): Promise<number> {
    const skipped = Math.max(0, Math.min(n, this.end - this.position));
    this.position += skipped;
    return skipped;
  }
}

export class BufferSource implements ByteSource {
  private position = 0;

  constructor(private readonly buffer: Buffer) {}

  async read(max: number): Promise<Buffer | null> {
    if (this.position >= this.buffer.length) return null;
    const chunk = this.buffer.subarray(this.position, this.position + max);
    this.position += chunk.length;
    return chunk;
  }

  async skip(n: number): Promise<number> {
    const skipped = Math.min(n, this.buffer.length - this.position);
    this.position += skipped;
    return skipped;
  }
}

/** At most `limit` bytes of another source (a payload nested inside a pickle). */
export class LimitedSource implements ByteSource {
  private remaining: number;

  constructor(
    private readonly inner: ByteSource,
    limit: number,
  ) {
    this.remaining = limit;
  }

  get left(): number {
    return this.remaining;
  }

  async read(max: number): Promise<Buffer | null> {
    if (this.remaining <= 0) return null;
    const chunk = await this.inner.read(Math.min(max, this.remaining));
    if (!chunk) return null;
    const kept = chunk.length > this.remaining ? chunk.subarray(0, this.remaining) : chunk;
    this.remaining -= kept.length;
    return kept;
  }

  async skip(n: number): Promise<number> {
    const skipped = await this.inner.skip(Math.min(n, this.remaining));
    this.remaining -= skipped;
    return skipped;
  }
}

/** Bytes already in hand, then the rest from another source. */
export class PrefixedSource implements ByteSource {
  constructor(
    private prefix: Buffer,
    private readonly rest: ByteSource,
  ) {}

  async read(max: number): Promise<Buffer | null> {
    if (this.prefix.length === 0) return this.rest.read(max);
    const chunk = this.prefix.subarray(0, max);
    this.prefix = this.prefix.subarray(chunk.length);
    return chunk;
  }

  async skip(n: number): Promise<number> {
    const fromPrefix = Math.min(n, this.prefix.length);
    this.prefix = this.prefix.subarray(fromPrefix);
    return fromPrefix + (n > fromPrefix ? await this.rest.skip(n - fromPrefix) : 0);
  }
}
