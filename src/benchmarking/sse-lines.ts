/**
 * Splits a Server-Sent Events byte stream into `data:` payloads. Chunks from the socket cut events anywhere,
 * so a partial line is carried over; only `data:` fields matter for OpenAI-style streams.
 */
export class SseDataReader {
  private carry = '';

  push(chunk: string): string[] {
    const text = this.carry + chunk;
    const lines = text.split('\n');
    this.carry = lines.pop() ?? '';
    const out: string[] = [];
    for (const raw of lines) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line.startsWith('data:')) out.push(line.slice(line[5] === ' ' ? 6 : 5));
    }
    return out;
  }
}
