import { createGraphiQLFetcher, type Fetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { createClient } from 'graphql-ws';
import { type FormEvent, StrictMode, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { identityOf, signIn, signOut, storedToken, takeTokenFromFragment } from '../lib/session';
import './explorer.css';

const DEFAULT_QUERY = `# ModelHub's GraphQL API. Paste a token above (npm run token), or open /graphql#token=<token>.
# Ctrl-Enter runs; subscriptions (operationProgress, modelEvents) stream over graphql-ws.
query Models {
  models(first: 10) {
    totalCount
    edges { node { name status project defaultVersion { version } } }
  }
}
`;

/**
 * Queries and mutations over HTTP POST with the token in `Authorization` (a header typed into GraphiQL's headers
 * editor wins), subscriptions over graphql-ws on the same path with the token in connectionParams, as the API reads it.
 * One socket per token: changing the token closes the old one.
 */
function explorerFetcher(token: string | null): { fetcher: Fetcher; dispose(): void } {
  const authorization = token ? { authorization: `Bearer ${token}` } : undefined;
  const wsClient = createClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    lazy: true,
    connectionParams: authorization ?? {},
    retryAttempts: 3,
  });
  // Apollo answers plain JSON; asking for multipart (incremental delivery) would gain nothing here.
  const fetcher = createGraphiQLFetcher({ url: '/graphql', wsClient, headers: authorization, enableIncrementalDelivery: false });
  return { fetcher, dispose: () => void wsClient.dispose() };
}

function TokenBar({ token, onChange }: { token: string | null; onChange(token: string | null): void }) {
  const [draft, setDraft] = useState('');
  const identity = token ? identityOf(token) : null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (draft.trim() === '') return;
    signIn(draft);
    setDraft('');
    onChange(storedToken());
  };
  return (
    <header className="explorer-bar">
      <strong>ModelHub GraphQL explorer</strong>
      <form onSubmit={submit} className="explorer-token">
        <label htmlFor="explorer-token-input">Token</label>
        <input
          id="explorer-token-input"
          data-testid="explorer-token"
          type="password"
          autoComplete="off"
          placeholder={token ? 'replace the token…' : 'paste a token (npm run token)'}
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
        />
        <button type="submit">Use token</button>
      </form>
      <span data-testid="explorer-identity" className="explorer-identity">
        {token ? `as ${identity?.subject ?? 'token holder'}${identity?.expiresAt ? `, until ${identity.expiresAt.toLocaleString()}` : ''}` : 'anonymous'}
      </span>
      {token && (
        <button
          type="button"
          onClick={() => {
            signOut();
            onChange(null);
          }}
        >
          Forget token
        </button>
      )}
      <a href="/console/">Console</a>
    </header>
  );
}

function Explorer() {
  // The console's token (this tab's sessionStorage) is used as it is: signing in to one signs in to both.
  const [token, setToken] = useState<string | null>(() => storedToken());
  const client = useMemo(() => explorerFetcher(token), [token]);
  useEffect(() => () => client.dispose(), [client]);
  return (
    <div className="explorer">
      <TokenBar token={token} onChange={setToken} />
      <div className="explorer-ide">
        <GraphiQL fetcher={client.fetcher} defaultQuery={DEFAULT_QUERY} />
      </div>
    </div>
  );
}

// Before anything renders: a token in the fragment leaves the address bar at once.
takeTokenFromFragment();

createRoot(document.getElementById('explorer') as HTMLElement).render(
  <StrictMode>
    <Explorer />
  </StrictMode>,
);
