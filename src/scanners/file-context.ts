import type { FileHandle } from 'node:fs/promises';
import type { Severity } from '../domain/scanning/scan-report';
import type { ReadCounter } from './byte-source';
import type { FindingSink } from './finding-sink';
import type { ScanLimits } from './scan-limits';

/** One file being scanned: random access to its bytes, where findings go, and the limits. */
export interface FileContext {
  file: FileHandle;
  size: number;
  /** The logical name (manifest path), which decides formats that have no magic number. */
  name: string;
  sink: FindingSink;
  limits: ScanLimits;
  counter: ReadCounter;
}

export async function readRange(ctx: FileContext, position: number, length: number): Promise<Buffer> {
  const n = Math.max(0, Math.min(length, ctx.size - position));
  const buffer = Buffer.alloc(n);
  const { bytesRead } = await ctx.file.read(buffer, 0, n, position);
  ctx.counter.bytes += bytesRead;
  return bytesRead === n ? buffer : buffer.subarray(0, bytesRead);
}

export function unscannable(ctx: FileContext, scanner: string, rule: string, offset: number | null, message: string, severity: Severity = 'MEDIUM'): void {
  ctx.sink.add(scanner, severity, `unscannable-${rule}`, offset, message);
}
