import { Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import type { ByteSource } from './byte-source';

/** The member inflates past its declared size: a zip bomb or a lying directory. */
export class InflateLimitError extends Error {}

/**
 * A deflated zip member, decompressed as it is read. Output beyond `limit` bytes (the member's declared
 * uncompressed size) stops the read, so a bomb costs at most what the directory admitted to.
 */
export class InflateSource implements ByteSource {
  private readonly output: AsyncIterator<Buffer>;
  private readonly input: Readable;
  private produced = 0;
  private pending: Buffer | null = null;

  constructor(
    compressed: ByteSource,
    private readonly limit: number,
  ) {
    async function* chunks(): AsyncGenerator<Buffer> {
      for (;;) {
        const chunk = await compressed.read(256 * 1024);
        if (!chunk) return;
        yield chunk;
      }
    }
    this.input = Readable.from(chunks());
    const inflater = createInflateRaw();
    this.input.on('error', (error) => inflater.destroy(error));
    this.output = this.input.pipe(inflater)[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  async read(max: number): Promise<Buffer | null> {
    let chunk = this.pending;
    this.pending = null;
    if (!chunk) {
      const next = await this.output.next();
      if (next.done) return null;
      chunk = next.value;
      this.produced += chunk.length;
      if (this.produced > this.limit) {
        this.close();
        throw new InflateLimitError(`inflates past its declared ${this.limit} bytes`);
      }
    }
    if (chunk.length > max) {
      this.pending = chunk.subarray(max);
      return chunk.subarray(0, max);
    }
    return chunk;
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

  close(): void {
    this.input.destroy();
    void this.output.return?.();
  }
}
