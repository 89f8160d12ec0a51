import { redactUrl } from '../../domain/onboarding/import-source';

/**
 * A version's source as clients see it: the sealed credentials reference never leaves the server, and a URL
 * stored before credentials were sealed is shown without them.
 */
export function shownSource(source: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!source) return null;
  const shown = new Map(Object.entries(source));
  if (shown.has('credentials')) shown.set('credentials', shown.get('credentials') ? '[sealed]' : null);
  const url = shown.get('url');
  if (typeof url === 'string') shown.set('url', redactUrl(url));
  return Object.fromEntries(shown);
}

/** Model.sourceUri may hold a URL with credentials typed into registerModel: shown without them. */
export function shownSourceUri(uri: string | null): string | null {
  return uri && /^https?:\/\//i.test(uri) ? redactUrl(uri) : uri;
}
