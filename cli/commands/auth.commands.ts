import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { ApiClient } from '../api-client';
import { configFile, loadSettings, saveLogin } from '../cli-config';
import { contextOf } from '../cli-context';
import { CliError, usageError } from '../cli-errors';
import { createOutput, fields } from '../cli-output';

interface Claims {
  sub?: string;
  roles?: string[];
  role?: string;
  projects?: Record<string, string[]>;
  exp?: number;
}

/** The token's claims as the client can read them (the server verifies the signature; whoami asks it too). */
function claimsOf(token: string): Claims {
  const jwt = token.startsWith('hf_') ? token.slice(3) : token;
  try {
    return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Claims;
  } catch {
    return {};
  }
}

/** One cheap read every authenticated caller may make: proves the server accepts the token. */
async function checkToken(api: ApiClient): Promise<number> {
  return (await api.query<{ models: { totalCount: number } }>(`{ models(first: 1) { totalCount } }`)).models.totalCount;
}

async function readToken(): Promise<string> {
  if (process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return (await rl.question('Token: ')).trim();
    } finally {
      rl.close();
    }
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

export function registerAuthCommands(program: Command): void {
  program
    .command('login')
    .description('check a token against the server and store URL and token in the config file (0600)')
    .option('--with-token', 'read the token from stdin (default when stdin is not a terminal)')
    .action(async (_options, command: Command) => {
      const globals = command.optsWithGlobals<{ url?: string; token?: string; json?: boolean }>();
      const base = await loadSettings({ url: globals.url });
      const token = globals.token ?? process.env.MODELHUB_TOKEN ?? (await readToken());
      if (!token) throw usageError('no token given: pass --token, set MODELHUB_TOKEN or pipe it on stdin');
      const api = new ApiClient({ url: base.url, token, source: 'flag' });
      await checkToken(api);
      const file = await saveLogin(base.url, token);
      const claims = claimsOf(token);
      createOutput(Boolean(globals.json)).result({ url: base.url, subject: claims.sub ?? null, configFile: file }, () => `Logged in to ${base.url} as ${claims.sub ?? 'unknown'} (saved in ${file})`);
    });

  program
    .command('whoami')
    .description('who the token says you are, and whether the server accepts it')
    .action(async (_options, command: Command) => {
      const { api, out } = await contextOf(command);
      const { token, url, source } = api.settings;
      if (!token) throw new CliError(`no token: run \`modelhub login\` or set MODELHUB_TOKEN (config: ${configFile()})`, 'UNAUTHENTICATED');
      await checkToken(api);
      const claims = claimsOf(token);
      const roles = claims.roles ?? (claims.role ? [claims.role] : []);
      const result = {
        url,
        subject: claims.sub ?? null,
        roles,
        projects: claims.projects ?? {},
        expiresAt: claims.exp ? new Date(claims.exp * 1000).toISOString() : null,
        tokenFrom: source,
      };
      out.result(result, () =>
        fields([
          ['url', url],
          ['subject', result.subject],
          ['roles', roles.length ? roles : '(none)'],
          ['projects', Object.entries(result.projects).map(([p, r]) => `${p}=${r.join('+')}`)],
          ['expires', result.expiresAt],
          ['token from', source],
        ]),
      );
    });
}
