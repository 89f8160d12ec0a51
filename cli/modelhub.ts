#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { CliError, ExitCode } from './cli-errors';
import { registerAuthCommands } from './commands/auth.commands';
import { registerCatalogCommands } from './commands/catalog.commands';
import { registerDiffCommands } from './commands/diff.commands';
import { registerDownloadCommands } from './commands/download.commands';
import { registerGovernanceCommands } from './commands/governance.commands';
import { registerImportCommands } from './commands/import.commands';
import { registerOperationCommands } from './commands/operation.commands';
import { registerScanCommands } from './commands/scan.commands';
import { registerUploadCommands } from './commands/upload.commands';

/**
 * `modelhub`: a client of the public GraphQL and HTTP API (DESIGN.md "Faces"). Nothing in src/ imports it; it
 * imports only the scanner library from src/, for `scan` of local files.
 */
function program(): Command {
  const root = new Command('modelhub')
    .description('ModelHub from the command line (MODELHUB_URL, MODELHUB_TOKEN or `modelhub login`)')
    .option('--url <url>', 'API base URL (default MODELHUB_URL, the login, or http://127.0.0.1:4000)')
    .option('--token <token>', 'bearer token (default MODELHUB_TOKEN or the login)')
    .option('--json', 'print one JSON document on stdout and nothing else there')
    .option('--no-progress', 'no progress bars (they are drawn on a terminal only anyway)')
    .option('--debug', 'show stack traces')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`modelhub: ${text.replace(/^error: /, '').trim()}\n`) });
  registerAuthCommands(root);
  registerCatalogCommands(root);
  registerImportCommands(root);
  registerUploadCommands(root);
  registerDownloadCommands(root);
  registerOperationCommands(root);
  registerScanCommands(root);
  registerGovernanceCommands(root);
  registerDiffCommands(root);
  for (const command of root.commands) command.exitOverride();
  return root;
}

function report(error: unknown, debug: boolean): number {
  if (error instanceof CommanderError) {
    // Help and --version end here too, with exit code 0; commander has printed what it had to.
    return error.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
  }
  if (error instanceof CliError) {
    process.stderr.write(`modelhub: ${error.message} (${error.code})\n`);
    if (debug && error.stack) process.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`modelhub: ${message.split('\n')[0]} (INTERNAL)\n`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return ExitCode.FAILED;
}

/**
 * Ends the process once the command is done: an aborted transfer can leave sockets, file streams or the tus
 * state file's lock timer behind, and a CLI must not hang on them. stdout/stderr are drained first.
 */
function exit(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

const debug = process.argv.includes('--debug');
program()
  .parseAsync(process.argv)
  .then(
    () => exit(Number(process.exitCode ?? 0)),
    (error: unknown) => exit(report(error, debug)),
  );
