import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { Client, CombinedError, fetchExchange, subscriptionExchange } from 'urql';

export interface ApiClient {
  urql: Client;
  ws: WsClient;
  dispose(): void;
}

/**
 * One urql client per signed-in token: queries and mutations over HTTP POST to /graphql (gateways refuse mutations on
 * a client's socket), subscriptions over graphql-ws on the same path with the token in connectionParams, as the API
 * documents. No normalised cache: every page asks for what it shows, and live pages re-ask on events.
 */
export function createApiClient(token: string): ApiClient {
  const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  const ws = createWsClient({
    url: wsUrl,
    lazy: true,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 5,
  });
  const urql = new Client({
    url: '/graphql',
    preferGetMethod: false,
    requestPolicy: 'network-only',
    fetchOptions: () => ({ headers: { authorization: `Bearer ${token}` } }),
    exchanges: [
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
  return { urql, ws, dispose: () => void ws.dispose() };
}

/** The code the API put on the first error (UNAUTHENTICATED, FORBIDDEN, POLICY_VIOLATION, …). */
export function errorCode(error: CombinedError | undefined | null): string | null {
  const code = error?.graphQLErrors[0]?.extensions?.code;
  return typeof code === 'string' ? code : null;
}

export function errorText(error: CombinedError | undefined | null): string {
  if (!error) return '';
  const first = error.graphQLErrors[0];
  if (first) {
    const gate = first.extensions?.gate;
    return `${first.message}${typeof gate === 'string' ? ` (gate ${gate})` : ''}`;
  }
  return error.networkError ? `Network error: ${error.networkError.message}` : error.message;
}

/** A file of a version through the download route, with the token in the header (links cannot carry it). */
export async function fetchFile(token: string, versionId: string, path: string): Promise<Response> {
  const encoded = path.split('/').map(encodeURIComponent).join('/');
  return fetch(`/files/versions/${encodeURIComponent(versionId)}/download/${encoded}`, { headers: { authorization: `Bearer ${token}` } });
}

export function downloadUrl(versionId: string, path: string): string {
  return `${location.origin}/files/versions/${encodeURIComponent(versionId)}/download/${path.split('/').map(encodeURIComponent).join('/')}`;
}
