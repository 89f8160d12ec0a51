import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const GiB = 1024 ** 3;

/** A safetensors file of `bytes` total: one F16 tensor, pseudo-random data written in 8 MiB blocks. */
async function writeModel(file: string, bytes: number): Promise<void> {
  const headerJson = (elements: number) => JSON.stringify({ weight: { dtype: 'F16', shape: [elements], data_offsets: [0, elements * 2] } });
  let elements = Math.floor((bytes - 8 - 128) / 2);
  let json = headerJson(elements).padEnd(128, ' ');
  elements = Math.floor((bytes - 8 - json.length) / 2);
  json = headerJson(elements).padEnd(128, ' ');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  const out = createWriteStream(file);
  let failure: Error | null = null;
  out.on('error', (error) => (failure = error));
  const write = (chunk: Buffer) =>
    new Promise<void>((resolve, reject) => (failure ? reject(failure) : out.write(chunk) ? resolve() : out.once('drain', resolve)));
  await write(Buffer.concat([length, Buffer.from(json)]));
  const block = Buffer.alloc(8 * 1024 * 1024);
  let state = 0x12345678;
  for (let i = 0; i < block.length; i += 4) {
    state = (state * 1664525 + 1013904223) >>> 0;
    block.writeUInt32LE(state, i);
  }
  let remaining = elements * 2;
  while (remaining > 0) {
    const n = Math.min(block.length, remaining);
    await write(n === block.length ? block : block.subarray(0, n));
    remaining -= n;
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
  if (failure) throw failure;
}

async function main(): Promise<void> {
  const sizeGiB = Number(process.env.BENCH_SIZE_GIB ?? '2');
  const dir = path.resolve(__dirname, '../../.data/bench');
  const imports = path.join(dir, 'imports');
  const file = path.join(imports, 'model.safetensors');
  await rm(dir, { recursive: true, force: true });
  await mkdir(imports, { recursive: true });
  process.stdout.write(`generating a ${sizeGiB} GiB safetensors file…\n`);
  await writeModel(file, sizeGiB * GiB);
  const bytes = sizeGiB * GiB;

  // Warm the page cache equally for both: each reads the file once before it is timed.
  await run('sh', ['-c', 'cat "$0" > /dev/null', file]);
  const t0 = process.hrtime.bigint();
  const { stdout } = await run('sha256sum', [file]);
  const shaSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const expected = stdout.split(/\s+/)[0];

  const child = await run(process.execPath, [path.join(__dirname, 'stage-child.js'), file, imports, path.join(dir, 'artifacts')], { maxBuffer: 1 << 20 });
  const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as { seconds: number; sha256: string; size: number; maxRssKiB: number };
  if (result.sha256 !== expected) throw new Error(`digest differs: sha256sum ${expected}, import ${result.sha256}`);

  const mibps = (seconds: number) => bytes / seconds / 1024 ** 2;
  const ratio = mibps(result.seconds) / mibps(shaSeconds);
  const rssMiB = result.maxRssKiB / 1024;
  const rows = [
    ['file', `${sizeGiB} GiB safetensors`],
    ['sha256sum', `${shaSeconds.toFixed(2)} s, ${mibps(shaSeconds).toFixed(0)} MiB/s`],
    ['import (hash + stage + store)', `${result.seconds.toFixed(2)} s, ${mibps(result.seconds).toFixed(0)} MiB/s`],
    ['ratio import / sha256sum', `${ratio.toFixed(2)}x (target >= 0.70x) ${ratio >= 0.7 ? 'PASS' : 'FAIL'}`],
    ['peak RSS of the import process', `${rssMiB.toFixed(0)} MiB (target < 256 MiB) ${rssMiB < 256 ? 'PASS' : 'FAIL'}`],
  ];
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(32)} ${v}\n`);
  await rm(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
