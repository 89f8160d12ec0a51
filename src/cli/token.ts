import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config';
import { isRole, Role } from '../domain/auth/roles';
import { issueToken } from '../services/auth-tokens';

/** `npm run token -- --role editor [--sub alice] [--ttl 3600]`: prints a token signed with JWT_SECRET (or the dev secret). */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { role: { type: 'string', default: Role.VIEWER }, sub: { type: 'string', default: 'dev-user' }, ttl: { type: 'string', default: '43200' } },
  });
  const role = values.role ?? Role.VIEWER;
  if (!isRole(role)) throw new Error(`--role must be one of ${Object.values(Role).join(', ')}`);
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl <= 0) throw new Error('--ttl must be a positive number of seconds');
  process.stdout.write(`${await issueToken(loadConfig().auth, values.sub ?? 'dev-user', [role], ttl)}\n`);
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
