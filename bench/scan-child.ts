import { scanFile } from '../src/scanners';

/** Scans one file in its own process, so its peak RSS is the scanner's alone. */
async function main(): Promise<void> {
  const [file, name] = process.argv.slice(2);
  const started = process.hrtime.bigint();
  const report = await scanFile(file!, { name });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const result = { seconds, verdict: report.verdict, format: report.format, findings: report.findings.length, bytesScanned: report.bytesScanned, maxRssKiB: process.resourceUsage().maxRSS };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

void main();
