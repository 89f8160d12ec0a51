import { useSyncExternalStore } from 'react';

/** Pages live under /console/; the server answers index.html for each, so links can be shared and reloaded. */
export const BASE = '/console';

export type Route =
  | { page: 'models'; params: URLSearchParams }
  | { page: 'model'; name: string; params: URLSearchParams }
  | { page: 'approvals'; params: URLSearchParams }
  | { page: 'leaderboard'; params: URLSearchParams }
  | { page: 'import'; params: URLSearchParams }
  | { page: 'recommend'; params: URLSearchParams }
  | { page: 'not-found'; params: URLSearchParams };

export function parseRoute(pathname: string, search: string): Route {
  const params = new URLSearchParams(search);
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const parts = rest.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { page: 'models', params };
  if (parts[0] === 'models' && parts.length === 2) return { page: 'model', name: parts[1], params };
  if (parts.length === 1 && (parts[0] === 'approvals' || parts[0] === 'leaderboard' || parts[0] === 'import' || parts[0] === 'recommend')) return { page: parts[0], params };
  return { page: 'not-found', params };
}

const listeners = new Set<() => void>();
let snapshot = `${location.pathname}${location.search}`;

function changed(): void {
  snapshot = `${location.pathname}${location.search}`;
  for (const listener of listeners) listener();
}
window.addEventListener('popstate', changed);

export function navigate(href: string, replace = false): void {
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  changed();
  if (!replace) window.scrollTo(0, 0);
}

export function useLocation(): string {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => snapshot,
  );
}

export function useRoute(): Route {
  const current = useLocation();
  const at = current.indexOf('?');
  return parseRoute(at < 0 ? current : current.slice(0, at), at < 0 ? '' : current.slice(at));
}

export function href(path: string, params?: Record<string, string | undefined | null>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) if (value !== undefined && value !== null && value !== '') query.set(key, value);
  const qs = query.toString();
  return `${BASE}${path}${qs ? `?${qs}` : ''}`;
}

export function modelHref(name: string, params?: Record<string, string | undefined | null>): string {
  return href(`/models/${encodeURIComponent(name)}`, params);
}
