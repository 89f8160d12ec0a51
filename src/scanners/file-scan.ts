import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { TORCH_LEGACY_PICKLES } from '../domain/scanning/pickle-opcodes';
import { type FileScanReport, SCANNER_RULES_VERSION, type ScanFormat, verdictOf } from '../domain/scanning/scan-report';
import { ByteReader } from './byte-reader';
import { FileRangeSource } from './byte-source';
import { type FileContext, readRange, unscannable } from './file-context';
import { FindingSink } from './finding-sink';
import { archiveKind, detectScanFormat } from './format-detect';
import { scanGguf } from './gguf.scanner';
import { scanHdf5 } from './keras.scanner';
import { scanNpyStream } from './npy.scanner';
import { scanPickleStream } from './pickle.scanner';
import { scanSafetensors } from './safetensors.scanner';
import { scanSavedModel } from './saved-model.scanner';
import { type ScanLimits, withDefaults } from './scan-limits';
import { scanTemplateFile } from './template.scanner';
import { scanZip } from './zip.scanner';

export interface ScanOptions extends Partial<ScanLimits> {
  /** The file's logical name (its manifest path): decides formats without a magic number. Defaults to the basename. */
  name?: string;
  /** Also hash the whole file (one extra full read). */
  sha256?: boolean;
}

/**
 * Pickle-stream scans of the file itself: a .pkl or .bin (every pickle, one after another), legacy torch, or
 * anything else probed (its pickles read too once the first one parses).
 */
async function scanPickleFile(ctx: FileContext, mode: 'strict' | 'probe', legacy: boolean): Promise<boolean> {
  const reader = new ByteReader(new FileRangeSource(ctx.file, 0, ctx.size, ctx.counter));
  const result = await scanPickleStream(reader, { sink: ctx.sink, limits: ctx.limits }, {
    mode,
    origin: 0,
    anchor: 0,
    where: '',
    depth: 0,
    // Legacy torch.save: magic, protocol, sys info, the object, storage keys; raw storage bytes follow,
    // which torch.load copies into storages without unpickling.
    maxPickles: legacy ? TORCH_LEGACY_PICKLES : ctx.limits.maxPicklesPerStream,
    minPickles: legacy ? TORCH_LEGACY_PICKLES : 0,
    rawTail: legacy,
  });
  return result.isPickle;
}

async function dispatch(ctx: FileContext, format: ScanFormat, strictPickle: boolean): Promise<ScanFormat> {
  switch (format) {
    case 'pickle': case 'pytorch-legacy':
      await scanPickleFile(ctx, strictPickle ? 'strict' : 'probe', format === 'pytorch-legacy');
      return format;
    case 'numpy': {
      const reader = new ByteReader(new FileRangeSource(ctx.file, 0, ctx.size, ctx.counter));
      await scanNpyStream(reader, { sink: ctx.sink, limits: ctx.limits }, { origin: 0, anchor: 0, where: '', size: ctx.size, depth: 0 });
      return format;
    }
    case 'zip': case 'npz': case 'keras':
      return scanZip(ctx, format);
    case 'safetensors': await scanSafetensors(ctx); return format;
    case 'gguf': await scanGguf(ctx); return format;
    case 'hdf5': await scanHdf5(ctx); return format;
    case 'saved-model': await scanSavedModel(ctx); return format;
    case 'tokenizer-config': await scanTemplateFile(ctx); return format;
    case 'archive': {
      const kind = archiveKind(await readRange(ctx, 0, 512)) ?? 'unknown';
      unscannable(ctx, 'archive', 'archive', 0, `${kind} archive: contents cannot be scanned`);
      return format;
    }
    case 'python-source':
      ctx.sink.add('source', 'LOW', 'python-remote-code', null, 'Python source: runs when the model is loaded with trust_remote_code');
      return format;
    default:
      // No format of its own: still a pickle if its bytes are one (torch.load does not care about names).
      return (await scanPickleFile(ctx, 'probe', false)) ? 'pickle' : 'other';
  }
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Scans one file with the model-format scanners. Never executes or imports anything from it, never reads
 * tensor data it does not need, and fails closed: what it cannot fully understand is UNSCANNABLE.
 * Throws only for I/O errors (missing or unreadable file).
 */
export async function scanFile(path: string, options: ScanOptions = {}): Promise<FileScanReport> {
  const limits = withDefaults(options);
  const file = await open(path, 'r');
  try {
    const stat = await file.stat();
    const sink = new FindingSink(limits.maxFindings);
    const ctx: FileContext = { file, size: stat.size, name: options.name ?? basename(path), sink, limits, counter: { bytes: 0 } };
    let format: ScanFormat = 'other';
    if (!stat.isFile()) unscannable(ctx, 'scan', 'not-a-file', null, 'not a regular file');
    else {
      const detection = detectScanFormat(ctx.name, await readRange(ctx, 0, 512), ctx.size);
      format = await dispatch(ctx, detection.format, detection.strictPickle);
    }
    const findings = sink.result();
    const report: FileScanReport = { path, format, verdict: verdictOf(findings), findings, bytesScanned: ctx.counter.bytes, rulesVersion: SCANNER_RULES_VERSION };
    if (options.sha256 && stat.isFile()) report.sha256 = await sha256Of(path);
    return report;
  } finally {
    await file.close();
  }
}
