import { excerpt } from '../domain/scanning/scan-report';
import { classifyOp } from '../domain/scanning/tf-ops';
import { type FileContext, readRange, unscannable } from './file-context';

class ProtoError extends Error {}

interface Field {
  number: number;
  /** For length-delimited fields: the bytes. */
  bytes: Buffer | null;
}

/** The fields of one protobuf message, without a schema (wire types 0, 1, 2, 5). */
function* fields(message: Buffer): Generator<Field> {
  let p = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (p >= message.length) throw new ProtoError('varint runs past the message');
      const b = message[p++]!;
      value += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) return value;
    }
    throw new ProtoError('varint longer than 10 bytes');
  };
  while (p < message.length) {
    const key = varint();
    const wire = key % 8;
    const number = Math.floor(key / 8);
    if (wire === 0) varint();
    else if (wire === 1 || wire === 5) p += wire === 1 ? 8 : 4;
    else if (wire === 2) {
      const length = varint();
      if (p + length > message.length) throw new ProtoError('field runs past the message');
      yield { number, bytes: message.subarray(p, p + length) };
      p += length;
      continue;
    } else throw new ProtoError(`wire type ${wire}`);
    if (p > message.length) throw new ProtoError('field runs past the message');
    yield { number, bytes: null };
  }
}

function sub(message: Buffer, number: number): Buffer[] {
  const out: Buffer[] = [];
  for (const f of fields(message)) if (f.number === number && f.bytes) out.push(f.bytes);
  return out;
}

/** NodeDef.op of every node: SavedModel.meta_graphs(2) → graph_def(2) → node(1) and library(2) → function(1) → node_def(3). */
function collectOps(savedModel: Buffer): { ops: Set<string>; functions: Set<string> } {
  const ops = new Set<string>();
  const functions = new Set<string>();
  const opOf = (node: Buffer) => {
    for (const op of sub(node, 2)) ops.add(op.toString('utf8'));
  };
  for (const meta of sub(savedModel, 2)) {
    for (const graph of sub(meta, 2)) {
      for (const node of sub(graph, 1)) opOf(node);
      for (const library of sub(graph, 2)) {
        for (const fn of sub(library, 1)) {
          for (const signature of sub(fn, 1)) for (const name of sub(signature, 1)) functions.add(name.toString('utf8'));
          for (const node of sub(fn, 3)) opOf(node);
        }
      }
    }
  }
  return { ops, functions };
}

/** saved_model.pb read whole (bounded by maxHeaderBytes; variables live in separate files) and its ops classified. */
export async function scanSavedModel(ctx: FileContext): Promise<void> {
  if (ctx.size > ctx.limits.maxHeaderBytes) return unscannable(ctx, 'saved-model', 'limit', null, `saved_model.pb is ${ctx.size} bytes (limit ${ctx.limits.maxHeaderBytes})`);
  let collected: ReturnType<typeof collectOps>;
  try {
    collected = collectOps(await readRange(ctx, 0, ctx.size));
  } catch (error) {
    if (!(error instanceof ProtoError)) throw error;
    return unscannable(ctx, 'saved-model', 'malformed', null, `saved_model.pb: ${error.message}`);
  }
  if (collected.ops.size === 0) return unscannable(ctx, 'saved-model', 'malformed', null, 'saved_model.pb holds no graph nodes');
  for (const op of collected.ops) {
    const verdict = classifyOp(op, collected.functions);
    if (verdict) ctx.sink.add('saved-model', verdict.severity, verdict.rule, null, excerpt(verdict.message, 200), excerpt(op, 200));
  }
}
