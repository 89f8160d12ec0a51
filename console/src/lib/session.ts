/** The signed-in token: kept in sessionStorage (this tab only, gone when it closes), never in the URL. */
const KEY = 'modelhub.console.token';

export type Role = 'viewer' | 'editor' | 'approver' | 'admin';
const RANK: Record<Role, number> = { viewer: 0, editor: 1, approver: 2, admin: 3 };

export interface Identity {
  subject: string;
  roles: Role[];
  projects: Record<string, Role[]>;
  expiresAt: Date | null;
}

function clean(raw: string): string {
  return raw.trim().replace(/^Bearer\s+/i, '').replace(/^hf_/, '');
}

/**
 * `/console/#token=…` signs in: the fragment never reaches a server, and it is removed from the address bar (and so
 * from history, bookmarks and screenshots) before anything renders. Other fragment parameters are kept.
 */
export function takeTokenFromFragment(): void {
  if (!location.hash.startsWith('#')) return;
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get('token');
  if (token === null) return;
  params.delete('token');
  const rest = params.toString();
  history.replaceState(history.state, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
  if (clean(token) !== '') sessionStorage.setItem(KEY, clean(token));
}

export function storedToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function signIn(token: string): void {
  sessionStorage.setItem(KEY, clean(token));
}

export function signOut(): void {
  sessionStorage.removeItem(KEY);
}

function roleList(value: unknown): Role[] {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  return list.filter((role): role is Role => typeof role === 'string' && Object.hasOwn(RANK, role));
}

/** What the token says about its holder, for showing the right controls; the server decides every action anyway. */
export function identityOf(token: string): Identity | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as Record<string, unknown>;
    const projects: Record<string, Role[]> = {};
    if (claims.projects && typeof claims.projects === 'object') {
      for (const [project, roles] of Object.entries(claims.projects as Record<string, unknown>)) projects[project] = roleList(roles);
    }
    return {
      subject: typeof claims.sub === 'string' ? claims.sub : '(unknown)',
      roles: [...roleList(claims.roles), ...roleList(claims.role)],
      projects,
      expiresAt: typeof claims.exp === 'number' ? new Date(claims.exp * 1000) : null,
    };
  } catch {
    return null;
  }
}

/** Whether the holder has at least `role`, everywhere or in `project`. */
export function holds(identity: Identity | null, role: Role, project?: string | null): boolean {
  if (!identity) return false;
  const roles = [...identity.roles, ...(project && Object.hasOwn(identity.projects, project) ? identity.projects[project] : [])];
  if (!project) for (const granted of Object.values(identity.projects)) roles.push(...granted);
  return roles.some((held) => RANK[held] >= RANK[role]);
}
