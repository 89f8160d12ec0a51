import type { Command } from 'commander';
import { ApiClient } from './api-client';
import { loadSettings } from './cli-config';
import { createOutput, type Output } from './cli-output';

export interface GlobalOptions {
  url?: string;
  token?: string;
  json?: boolean;
  debug?: boolean;
  progress?: boolean;
}

export interface CliContext {
  api: ApiClient;
  out: Output;
  globals: GlobalOptions;
  /** Bars are drawn on a terminal only, never under --json or --no-progress. */
  bars: boolean;
}

export async function contextOf(command: Command): Promise<CliContext> {
  const globals = command.optsWithGlobals<GlobalOptions>();
  const settings = await loadSettings({ url: globals.url, token: globals.token });
  const out = createOutput(Boolean(globals.json));
  return { api: new ApiClient(settings), out, globals, bars: Boolean(process.stderr.isTTY) && globals.progress !== false && !globals.json };
}

/** Repeatable options (`--tag a --tag b`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
