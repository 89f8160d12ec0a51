import type { GraphQLResolveInfo } from 'graphql';
import type { MiddlewareFn } from 'type-graphql';
import { hasGlobalRole, hasRole, type Principal, Role } from '../../domain/auth/roles';
import { ForbiddenError, NotFoundError } from '../../domain/common/domain-error';
import { canRead, readScope, requireRoleIn } from '../../domain/governance/access';
import { DEFAULT_PROJECT, projectId, projectOf } from '../../domain/governance/project';
import type { Services } from '../../services/services';
import type { GraphQLContext } from '../context';

type Args = Record<string, unknown>;
type Locate = (args: Args, services: Services) => Promise<string[]>;

const input = (args: Args) => (args.input ?? {}) as Args;
const str = (value: unknown) => (typeof value === 'string' ? value : '');
/** A project named in an input (registration, a move to another project); none means the default project. */
const named = (value: unknown) => (typeof value === 'string' && value.trim() ? projectId('project', value) : DEFAULT_PROJECT);

const model = (pick: (a: Args) => unknown): Locate => async (args, s) => [await s.access.projectOfModel(str(pick(args)))];
const version = (pick: (a: Args) => unknown): Locate => async (args, s) => [await s.access.projectOfVersion(str(pick(args)))];

/**
 * Project-scoped writes: for each mutation, the role it needs and where its project comes from. Checked before
 * the resolver runs, so a cross-project write is FORBIDDEN and touches nothing. Promotion, archiving, license
 * acknowledgment and project settings check their own project inside their transaction (SELF_CHECKED).
 * A mutation missing from both lists needs a global role: new mutations fail closed until listed here.
 */
const WRITES: ReadonlyMap<string, { role: Role; projects: Locate }> = new Map([
  ['registerModel', { role: Role.EDITOR, projects: async (a: Args) => [named(input(a).project)] }],
  ['updateModel', { role: Role.EDITOR, projects: async (a: Args, s: Services) => [await s.access.projectOfModel(str(a.id)), ...('project' in input(a) ? [named(input(a).project)] : [])] }],
  ['deleteModel', { role: Role.ADMIN, projects: model((a) => a.id) }],
  ['createVersion', { role: Role.EDITOR, projects: model((a) => input(a).modelId) }],
  ['setDefaultVersion', { role: Role.EDITOR, projects: model((a) => a.modelId) }],
  ['recordBenchmark', { role: Role.EDITOR, projects: version((a) => input(a).versionId) }],
  ['recordEvaluation', { role: Role.EDITOR, projects: version((a) => input(a).versionId) }],
  ['runBenchmark', { role: Role.EDITOR, projects: version((a) => input(a).versionId) }],
  ['runEvaluation', { role: Role.EDITOR, projects: version((a) => input(a).versionId) }],
  ['scanVersion', { role: Role.EDITOR, projects: version((a) => a.versionId) }],
  ['scanModel', { role: Role.EDITOR, projects: model((a) => a.modelId) }],
  ['createLocalCache', { role: Role.EDITOR, projects: version((a) => a.versionId) }],
  ['evictLocalCache', { role: Role.EDITOR, projects: async (a: Args, s: Services) => [await s.access.projectVia('local_caches', str(a.id), 'Local cache')] }],
  ['retryOperation', { role: Role.EDITOR, projects: async (a: Args, s: Services) => [await s.access.projectVia('operations', str(a.id), 'Operation')] }],
  ['cancelOperation', { role: Role.EDITOR, projects: async (a: Args, s: Services) => [await s.access.projectVia('operations', str(a.id), 'Operation')] }],
  // Aliases and a draft version's files (issue 12).
  ['setAlias', { role: Role.EDITOR, projects: model((a) => a.modelId) }],
  ['removeAlias', { role: Role.EDITOR, projects: model((a) => a.modelId) }],
  ['createFolder', { role: Role.EDITOR, projects: version((a) => a.versionId) }],
  ['moveFile', { role: Role.EDITOR, projects: version((a) => a.versionId) }],
  ['removeFile', { role: Role.EDITOR, projects: version((a) => a.versionId) }],
  ['submitVersion', { role: Role.EDITOR, projects: version((a) => a.versionId) }],
  ['uploadCommand', { role: Role.EDITOR, projects: version((a) => a.versionId) }],
  // An import adds a version to the model of that name (its project), or registers the model in the project given.
  ['importModel', { role: Role.EDITOR, projects: async (a: Args, s: Services) => [(await s.access.projectOfName(str(input(a).name))) ?? named(input(a).project)] }],
]);

const SELF_CHECKED = new Set(['requestPromotion', 'approvePromotion', 'rejectPromotion', 'withdrawPromotion', 'archiveVersion', 'transitionVersion', 'acknowledgeLicense', 'configureProject']);

/** Root queries returning one object of a model: read, then NOT_FOUND when the caller may not see its project. */
const READS: ReadonlyMap<string, { entity: string; modelIdOf: (result: Args) => string }> = new Map([
  ['version', { entity: 'Version', modelIdOf: (r: Args) => str(r.modelId) }],
  ['operation', { entity: 'Operation', modelIdOf: (r: Args) => str(r.modelId) }],
]);

const publicCache = new WeakMap<object, Promise<Set<string>>>();

/** Public projects, read once per request (the context lives as long as the request or the subscription event). */
export function publicProjectsOf(ctx: GraphQLContext): Promise<Set<string>> {
  let found = publicCache.get(ctx.loaders);
  if (!found) {
    found = ctx.services.access.publicProjects();
    publicCache.set(ctx.loaders, found);
  }
  return found;
}

export async function canSeeProject(ctx: GraphQLContext, project: string): Promise<boolean> {
  if (!ctx.principal) return false;
  const scope = readScope(ctx.principal);
  return scope.all || scope.projects.includes(project) || canRead(scope, project, await publicProjectsOf(ctx));
}

async function checkWrite(field: string, principal: Principal, args: Args, services: Services): Promise<void> {
  if (SELF_CHECKED.has(field)) return;
  const rule = WRITES.get(field);
  if (!rule) {
    requireGlobal(principal, field);
    return;
  }
  for (const project of await rule.projects(args, services)) requireRoleIn(principal, project, rule.role, field);
}

function requireGlobal(principal: Principal, field: string): void {
  if (!hasGlobalRole(principal, Role.EDITOR)) throw new ForbiddenError(`${field} is not project-scoped: it needs a global role (the token's "roles" claim)`, { requiredRole: Role.EDITOR });
}

function rootField(info: GraphQLResolveInfo): string | null {
  return info.path.prev === undefined ? info.fieldName : null;
}

export const projectGuard: MiddlewareFn<GraphQLContext> = async ({ args, context, info }, next) => {
  const field = rootField(info);
  if (field === null || !context.principal) return next();
  const operation = info.parentType.name;
  // Callers without the editor role anywhere are left to @Authorized, which refuses them with the role they lack.
  if (operation === 'Mutation' && hasRole(context.principal, Role.EDITOR)) await checkWrite(field, context.principal, args as Args, context.services);
  const result: unknown = await next();
  const read = operation === 'Query' ? READS.get(field) : undefined;
  if (read && result && typeof result === 'object') {
    const modelId = read.modelIdOf(result as Args);
    const owner = await context.loaders.modelById.load(modelId);
    if (!owner || !(await canSeeProject(context, projectOf(owner)))) throw new NotFoundError(read.entity, str((args as Args).id));
  }
  return result;
};
