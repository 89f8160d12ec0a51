import { checkKerasConfig, checkModuleMarker, LAMBDA_MARKER, MODULE_MARKER } from '../domain/scanning/keras-rules';
import { excerpt } from '../domain/scanning/scan-report';
import type { ByteReader } from './byte-reader';
import { type FileContext, readRange, unscannable } from './file-context';
import { HDF5_MAGIC } from './format-detect';

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** config.json of a .keras zip: parsed whole (bounded) and walked for Lambda layers and imported modules. */
export async function scanKerasConfig(ctx: FileContext, reader: ByteReader, label: string): Promise<void> {
  const chunks: Buffer[] = [];
  let total = 0;
  while (reader.available > 0 || (await reader.fill(1))) {
    const piece = reader.take(reader.available);
    total += piece.length;
    chunks.push(piece);
    if (total > ctx.limits.maxHeaderBytes) return unscannable(ctx, 'keras', 'limit', null, `${label}config.json is larger than ${ctx.limits.maxHeaderBytes} bytes`);
  }
  let config: unknown;
  try {
    config = JSON.parse(STRICT_UTF8.decode(Buffer.concat(chunks)));
  } catch {
    return unscannable(ctx, 'keras', 'malformed', null, `${label}config.json is not valid UTF-8 JSON`);
  }
  for (const hit of checkKerasConfig(config)) ctx.sink.add('keras', hit.severity, hit.rule, null, `${label}${hit.message}`, hit.global);
}

const WINDOW = 8 * 1024 * 1024;
const OVERLAP = 1024;

async function hdf5Signature(ctx: FileContext): Promise<boolean> {
  // The superblock sits at 0 or after a user block of 512, 1024, 2048, … bytes.
  for (let at = 0; at + 8 <= ctx.size; at = at === 0 ? 512 : at * 2) {
    if ((await readRange(ctx, at, 8)).equals(HDF5_MAGIC)) return true;
  }
  return false;
}

/**
 * HDF5 (.h5 Keras models) and keras_metadata.pb are not parsed structurally: the Keras config they carry is
 * plain JSON text (HDF5 never compresses attributes), so it is found by content, streaming the whole file.
 */
export async function scanHdf5(ctx: FileContext): Promise<void> {
  const protobuf = ctx.name.toLowerCase().endsWith('.pb');
  if (!protobuf && !(await hdf5Signature(ctx))) return unscannable(ctx, 'hdf5', 'malformed', 0, 'no HDF5 superblock signature');
  for (let position = 0; position < ctx.size; position += WINDOW) {
    const start = Math.max(0, position - OVERLAP);
    const window = await readRange(ctx, start, position + WINDOW - start);
    const fresh = position - start; // hits in the overlap were seen by the previous window
    for (let i = window.indexOf('Lambda', fresh); i >= 0; i = window.indexOf('Lambda', i + 1)) {
      const around = window.toString('latin1', Math.max(0, i - 64), i + 8);
      if (LAMBDA_MARKER.test(around)) ctx.sink.add('keras', 'HIGH', 'keras-lambda', start + i, 'Lambda layer in the model config: carries Python code that runs when the model is loaded');
    }
    for (let i = window.indexOf('"module"', fresh); i >= 0; i = window.indexOf('"module"', i + 1)) {
      const text = window.toString('latin1', i, Math.min(window.length, i + 512));
      MODULE_MARKER.lastIndex = 0;
      const m = MODULE_MARKER.exec(text);
      if (!m || m.index !== 0) continue;
      for (const hit of checkModuleMarker(m[1]!, m[2]!)) ctx.sink.add('keras', hit.severity, hit.rule, start + i, excerpt(hit.message, 200), hit.global);
    }
  }
}
