import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CliError } from './cli-errors';

export const DEFAULT_URL = 'http://127.0.0.1:4000';

/** Where the client reaches the API, with which token; environment first, then the login file. */
export interface Settings {
  url: string;
  token: string | null;
  /** Where the settings came from, for whoami. */
  source: 'flag' | 'environment' | 'config' | 'none';
}

interface StoredConfig {
  url?: string;
  token?: string;
}

/** `$XDG_CONFIG_HOME/modelhub` or `~/.config/modelhub` (the XDG default), like other tools' login files. */
export function configDir(): string {
  const base = process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'modelhub');
}

export function configFile(): string {
  return path.join(configDir(), 'config.json');
}

async function readStored(): Promise<StoredConfig> {
  let text: string;
  try {
    text = await readFile(configFile(), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as StoredConfig) : {};
  } catch {
    throw new CliError(`${configFile()} is not JSON: run \`modelhub login\` again`, 'USAGE');
  }
}

/** Flags beat MODELHUB_URL / MODELHUB_TOKEN, which beat the stored login. */
export async function loadSettings(flags: { url?: string; token?: string }): Promise<Settings> {
  const stored = await readStored();
  const url = (flags.url ?? process.env.MODELHUB_URL ?? stored.url ?? DEFAULT_URL).replace(/\/+$/, '');
  if (flags.token) return { url, token: flags.token, source: 'flag' };
  if (process.env.MODELHUB_TOKEN) return { url, token: process.env.MODELHUB_TOKEN, source: 'environment' };
  if (stored.token) return { url, token: stored.token, source: 'config' };
  return { url, token: null, source: 'none' };
}

/** Written to a temporary file first and renamed, 0600 in a 0700 folder: the token is a secret. */
export async function saveLogin(url: string, token: string): Promise<string> {
  const dir = configDir();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = configFile();
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify({ url, token }, null, 2)}\n`, { mode: 0o600 });
  await chmod(temp, 0o600);
  await rename(temp, file);
  return file;
}
