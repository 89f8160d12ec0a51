import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config';
import { isRole, Role } from '../domain/auth/roles';
import { projectId } from '../domain/governance/project';
import { issueToken } from '../services/auth-tokens';

const USAGE =
  'npm run token -- [--role viewer|deployer|editor|approver|admin] [--project <id>=<role>[,<role>…]]… [--sub alice] [--ttl 3600]\n' +
  '  --ttl      seconds the token lives (default 43200, at most TOKEN_MAX_LIFETIME_S: 86400 unless set)\n' +
  '  --role     a role in every project (the "roles" claim); omit it with --project for a project-only token\n' +
  '  --project  roles in one project (the "projects" claim), repeatable: --project vision=editor --project nlp=approver\n' +
  '  deployer   a service token for a CD pipeline: reads the project and records deployments, nothing else\n' +
  '             (--project vision=deployer --sub ci-prod); what it records is audited under its --sub';

function parseRole(value: string, where: string): Role {
  if (!isRole(value)) throw new Error(`${where}: a role is one of ${Object.values(Role).join(', ')}\n${USAGE}`);
  return value;
}

/** `vision=editor,approver` → ['vision', [editor, approver]] */
function parseGrant(text: string): [string, Role[]] {
  const at = text.indexOf('=');
  if (at <= 0) throw new Error(`--project ${text}: expected <project>=<role>[,<role>…]\n${USAGE}`);
  const project = projectId('--project', text.slice(0, at));
  return [project, text.slice(at + 1).split(',').map((role) => parseRole(role.trim(), `--project ${project}`))];
}

/** Prints a token signed with JWT_SECRET (or the dev secret). With neither flag: a global viewer. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      project: { type: 'string', multiple: true },
      sub: { type: 'string', default: 'dev-user' },
      ttl: { type: 'string', default: '43200' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  // A project named twice gets the roles of both flags (a Map from the pairs would keep only the last).
  const projects = new Map<string, Role[]>();
  for (const [project, granted] of (values.project ?? []).map(parseGrant)) projects.set(project, [...new Set([...(projects.get(project) ?? []), ...granted])]);
  const roles = values.role !== undefined ? [parseRole(values.role, '--role')] : projects.size ? [] : [Role.VIEWER];
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl <= 0) throw new Error('--ttl must be a positive number of seconds');
  const { auth } = loadConfig();
  // The server refuses a token that lives longer than this: minting one would only fail later, at first use.
  if (ttl > auth.maxTokenLifetimeSeconds) {
    throw new Error(
      `--ttl ${ttl} is longer than the ${auth.maxTokenLifetimeSeconds} s a token may live on this server (TOKEN_MAX_LIFETIME_S), ` +
        `which would refuse it: use --ttl ${auth.maxTokenLifetimeSeconds} or less, or raise TOKEN_MAX_LIFETIME_S for the server and this command alike`,
    );
  }
  process.stdout.write(`${await issueToken(auth, values.sub ?? 'dev-user', roles, ttl, projects)}\n`);
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
