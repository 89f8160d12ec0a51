import { lstat, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { countBySeverity, type FileScanReport, SCANNER_RULES_VERSION, scanFile } from '../scanners';

interface Failure {
  path: string;
  error: string;
}

/** Files under a path, depth first, sorted; symlinks are not followed (reported instead) so a loop cannot hang the scan. */
async function* filesUnder(path: string, failures: Failure[]): AsyncGenerator<string> {
  let stat;
  try {
    stat = await lstat(path);
  } catch (error) {
    failures.push({ path, error: (error as NodeJS.ErrnoException).code ?? 'unreadable' });
    return;
  }
  if (stat.isSymbolicLink()) failures.push({ path, error: 'symbolic link not followed' });
  else if (stat.isDirectory()) {
    for (const entry of (await readdir(path)).sort()) yield* filesUnder(join(path, entry), failures);
  } else yield path;
}

/**
 * `npm run scan -- <file or folder> … [--sha256]`: scans with the model-format scanners and prints one JSON
 * report. Exit code 0 all clean, 1 findings, 2 unreadable or unscannable input.
 */
async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { sha256: { type: 'boolean', default: false } } });
  if (positionals.length === 0) {
    process.stderr.write('usage: npm run scan -- <file or folder> … [--sha256]\n');
    return 2;
  }
  const reports: FileScanReport[] = [];
  const failures: Failure[] = [];
  for (const root of positionals) {
    for await (const file of filesUnder(root, failures)) {
      try {
        reports.push(await scanFile(file, { sha256: values.sha256, name: relative(root, file) || file }));
      } catch (error) {
        failures.push({ path: file, error: (error as NodeJS.ErrnoException).code ?? (error as Error).message });
      }
    }
  }
  const verdicts = { CLEAN: 0, FINDINGS: 0, UNSCANNABLE: 0 };
  for (const r of reports) verdicts[r.verdict] += 1;
  const summary = { files: reports.length, ...verdicts, errors: failures.length, severities: countBySeverity(reports.flatMap((r) => r.findings)) };
  process.stdout.write(`${JSON.stringify({ rulesVersion: SCANNER_RULES_VERSION, summary, files: reports, errors: failures }, null, 2)}\n`);
  if (failures.length > 0 || verdicts.UNSCANNABLE > 0) return 2;
  return verdicts.FINDINGS > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 2;
  },
);
