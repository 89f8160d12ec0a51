import { lstat, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Command } from 'commander';
// The one import from src/ (DESIGN.md "Faces"): the model-format scanners, run here on local files.
import { countBySeverity, type FileScanReport, SCANNER_RULES_VERSION, scanFile } from '../../src/scanners';
import { ExitCode } from '../cli-errors';
import { createOutput, table } from '../cli-output';

interface Failure {
  path: string;
  error: string;
}

/** Files under a path, depth first, sorted; symlinks are reported, not followed (as `npm run scan` does). */
async function* filesUnder(path: string, failures: Failure[]): AsyncGenerator<string> {
  const stat = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    failures.push({ path, error: error.code ?? 'unreadable' });
    return null;
  });
  if (!stat) return;
  if (stat.isSymbolicLink()) failures.push({ path, error: 'symbolic link not followed' });
  else if (stat.isDirectory()) {
    for (const entry of (await readdir(path)).sort()) yield* filesUnder(join(path, entry), failures);
  } else yield path;
}

export function registerScanCommands(program: Command): void {
  program
    .command('scan')
    .description('scan local files with the registry\'s model-format scanners (exit 0 clean, 1 findings, 2 unscannable)')
    .argument('<paths...>', 'files or folders')
    .option('--sha256', 'also hash every file')
    .action(async (paths: string[], options: { sha256?: boolean }, command: Command) => {
      const out = createOutput(Boolean(command.optsWithGlobals<{ json?: boolean }>().json));
      const reports: FileScanReport[] = [];
      const failures: Failure[] = [];
      for (const root of paths) {
        for await (const file of filesUnder(root, failures)) {
          try {
            reports.push(await scanFile(file, { sha256: Boolean(options.sha256), name: relative(root, file) || file }));
          } catch (error) {
            failures.push({ path: file, error: (error as NodeJS.ErrnoException).code ?? (error as Error).message });
          }
        }
      }
      const verdicts = { CLEAN: 0, FINDINGS: 0, UNSCANNABLE: 0 };
      for (const r of reports) verdicts[r.verdict] += 1;
      const summary = { files: reports.length, ...verdicts, errors: failures.length, severities: countBySeverity(reports.flatMap((r) => r.findings)) };
      out.result({ rulesVersion: SCANNER_RULES_VERSION, summary, files: reports, errors: failures }, () => {
        const rows = reports.flatMap((r) =>
          r.findings.length === 0
            ? [[r.path, r.format, r.verdict, '', '']]
            : r.findings.map((f) => [r.path, r.format, r.verdict, `${f.severity} ${f.rule}${f.global ? ` ${f.global}` : ''}`, f.offset]),
        );
        const errors = failures.map((f) => `error: ${f.path}: ${f.error}`);
        return [table(['path', 'format', 'verdict', 'finding', 'offset'], rows), ...errors, `${reports.length} files: ${verdicts.CLEAN} clean, ${verdicts.FINDINGS} with findings, ${verdicts.UNSCANNABLE} unscannable (rules ${SCANNER_RULES_VERSION})`].join('\n');
      });
      if (failures.length > 0 || verdicts.UNSCANNABLE > 0) process.exitCode = ExitCode.USAGE;
      else if (verdicts.FINDINGS > 0) process.exitCode = ExitCode.FAILED;
    });
}
