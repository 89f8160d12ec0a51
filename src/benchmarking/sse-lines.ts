/** Longest SSE line kept while waiting for its end: an OpenAI chunk is a few hundred bytes, a usage event no more. */
export const MAX_SSE_LINE_BYTES = 1024 * 1024;

/** A line over the reader's bound: the stream is not one an OpenAI-compatible server sends. */
export class SseLineTooLongError extends Error {}

/**
 * Splits a Server-Sent Events byte stream into `data:` payloads. Reads cut events anywhere, so a partial line is
 * carried over; lines are cut at '\n' bytes, which never fall inside a UTF-8 sequence, so each line decodes
 * whole. Only `data:` fields matter for OpenAI-style streams. The carried part is bounded (maxLine): a server
 * sending one endless line would otherwise grow it until the worker runs out of memory.
 */
export class SseDataReader {
  private carry: Buffer | null = null;

  constructor(private readonly maxLine = MAX_SSE_LINE_BYTES) {}

  push(chunk: Buffer | string): string[] {
    const input = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const bytes = this.carry ? Buffer.concat([this.carry, input]) : input;
    this.carry = null;
    const out: string[] = [];
    let start = 0;
    for (let end = bytes.indexOf(10, start); end >= 0; start = end + 1, end = bytes.indexOf(10, start)) {
      if (end - start > this.maxLine) throw new SseLineTooLongError(`an event line over ${this.maxLine} bytes`);
      const stop = end > start && bytes[end - 1] === 13 ? end - 1 : end;
      // "data:" is 5 bytes; a single space after the colon is not part of the value.
      if (stop - start >= 5 && bytes[start] === 100 && bytes[start + 1] === 97 && bytes[start + 2] === 116 && bytes[start + 3] === 97 && bytes[start + 4] === 58) {
        out.push(bytes.toString('utf8', start + (bytes[start + 5] === 32 ? 6 : 5), stop));
      }
    }
    if (bytes.length - start > this.maxLine) throw new SseLineTooLongError(`an event line over ${this.maxLine} bytes`);
    if (start < bytes.length) this.carry = Buffer.from(bytes.subarray(start));
    return out;
  }
}
