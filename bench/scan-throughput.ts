import { execFile } from 'node:child_process';
import { open, rm, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TorchTensorSpec } from '../test/fixtures/python-pickles';
import { writeTorchLegacy, writeTorchZip } from '../test/fixtures/torch-checkpoint';

const run = promisify(execFile);
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** A safetensors file of about `bytes`: 64 MiB F16 tensors of pseudo-random data, written in 8 MiB blocks. */
async function writeSafetensors(file: string, bytes: number): Promise<void> {
  const perTensor = 64 * MiB;
  const count = Math.max(1, Math.round(bytes / perTensor));
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  for (let i = 0; i < count; i++) header[`layers.${i}.weight`] = { dtype: 'F16', shape: [perTensor / 2], data_offsets: [i * perTensor, (i + 1) * perTensor] };
  let json = JSON.stringify(header);
  json = json.padEnd(Math.ceil(json.length / 8) * 8, ' ');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  const block = Buffer.alloc(8 * MiB);
  let s = 7;
  for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((s = (s * 1664525 + 1013904223) >>> 0), i);
  const out = await open(file, 'w');
  try {
    let offset = 0;
    const write = async (chunk: Buffer) => {
      await out.write(chunk, 0, chunk.length, offset);
      offset += chunk.length;
    };
    await write(Buffer.concat([length, Buffer.from(json)]));
    for (let left = count * perTensor; left > 0; left -= block.length) await write(block);
  } finally {
    await out.close();
  }
}

function tensorsOf(bytes: number): TorchTensorSpec[] {
  const perTensor = 64 * MiB;
  const count = Math.max(1, Math.round(bytes / perTensor));
  return Array.from({ length: count }, (_, i) => ({ name: `layers.${i}.weight`, storage: 'FloatStorage' as const, key: String(i), numel: perTensor / 4, shape: [perTensor / 4096, 1024], parameter: i % 2 === 0 }));
}

/** A pickle that is opcodes from end to end (a dict of small lists): the walker's worst case, nothing to skip. */
async function writeDensePickle(file: string, entries: number): Promise<void> {
  const script = `import pickle,sys\nd={'k%d'%i:[i,float(i),'v%d'%i,None] for i in range(${entries})}\nopen(sys.argv[1],'wb').write(pickle.dumps(d,protocol=4))`;
  await run('python3', ['-c', script, file]);
}

interface Row {
  name: string;
  size: number;
  shaSeconds: number;
  scanSeconds: number;
  bytesScanned: number;
  rssKiB: number;
  verdict: string;
}

const childArgs = (file: string, name: string) =>
  __filename.endsWith('.ts')
    ? ['-r', path.resolve(__dirname, '../test/support/ts-register.js'), path.join(__dirname, 'scan-child.ts'), file, name]
    : [path.join(__dirname, 'scan-child.js'), file, name];

async function measure(name: string, file: string, logicalName: string): Promise<Row> {
  const size = (await stat(file)).size;
  // Same warm page cache for both: the comparison is CPU work per byte, not the disk.
  await run('sh', ['-c', 'cat "$0" > /dev/null', file]);
  const t0 = process.hrtime.bigint();
  await run('openssl', ['dgst', '-sha256', file]);
  const shaSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const { stdout } = await run(process.execPath, childArgs(file, logicalName), { maxBuffer: MiB });
  const r = JSON.parse(stdout.trim()) as { seconds: number; verdict: string; bytesScanned: number; maxRssKiB: number };
  return { name, size, shaSeconds, scanSeconds: r.seconds, bytesScanned: r.bytesScanned, rssKiB: r.maxRssKiB, verdict: r.verdict };
}

function table(rows: Row[]): string {
  const head = ['file', 'size MiB', 'sha256 MiB/s', 'scan s', 'scan MiB/s', 'ratio', 'read KiB', 'peak RSS MiB', 'verdict'];
  const lines = rows.map((r) => {
    const sha = r.size / MiB / r.shaSeconds;
    const scan = r.size / MiB / r.scanSeconds;
    return [r.name, (r.size / MiB).toFixed(0), sha.toFixed(0), r.scanSeconds.toFixed(3), scan.toFixed(0), `${(scan / sha).toFixed(1)}×`, (r.bytesScanned / 1024).toFixed(0), (r.rssKiB / 1024).toFixed(0), r.verdict];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  return [head, ...lines].map((l) => l.map((c, i) => c.padStart(widths[i]!)).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const gib = Number(process.env.BENCH_SCAN_GIB ?? '2');
  const dir = path.resolve(process.cwd(), '.data/bench-scan');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const cases: [string, string, (file: string, bytes: number) => Promise<void>][] = [
    ['safetensors', 'model.safetensors', writeSafetensors],
    ['pytorch zip', 'pytorch_model.bin', (f, b) => writeTorchZip(f, tensorsOf(b))],
    ['pytorch legacy', 'legacy_model.bin', (f, b) => writeTorchLegacy(f, tensorsOf(b))],
  ];
  const rows: Row[] = [];
  try {
    for (const [label, name, write] of cases) {
      for (const bytes of [128 * MiB, gib * GiB]) {
        const file = path.join(dir, name);
        process.stdout.write(`writing ${label} ${(bytes / MiB).toFixed(0)} MiB…\n`);
        await write(file, bytes);
        rows.push(await measure(`${label} ${bytes >= GiB ? `${bytes / GiB} GiB` : `${bytes / MiB} MiB`}`, file, name));
        await rm(file, { force: true });
      }
    }
    // Many small tensors: the per-member cost (one local-header read, a content probe) and a 2.5 MB data.pkl dominate.
    process.stdout.write('writing a pytorch zip with 20,000 tensors…\n');
    const many = path.join(dir, 'many.bin');
    await writeTorchZip(many, Array.from({ length: 20_000 }, (_, i) => ({ name: `model.layers.${i}.mlp.weight`, storage: 'BFloat16Storage' as const, key: String(i), numel: 2048, shape: [32, 64], parameter: i % 3 === 0 })));
    rows.push(await measure('pytorch zip 20k tensors', many, 'pytorch_model.bin'));
    await rm(many, { force: true });
    process.stdout.write('writing an opcode-dense pickle…\n');
    const dense = path.join(dir, 'dense.pkl');
    await writeDensePickle(dense, Number(process.env.BENCH_SCAN_PICKLE_ENTRIES ?? '300000'));
    rows.push(await measure('dense pickle', dense, 'dense.pkl'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  process.stdout.write(`\n${table(rows)}\n\nscan MiB/s = file size ÷ scan time (headers and opcodes are read, tensor bytes skipped); ratio = scan ÷ openssl sha256 on the same warm file.\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
