import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { Provider } from 'urql';
import { Link } from './components/link';
import { createApiClient, errorCode, errorText } from './lib/client';
import { href, useRoute } from './lib/router';
import { identityOf, signIn, signOut, storedToken } from './lib/session';
import { type Session, SessionContext } from './lib/session-context';
import { ApprovalsPage } from './pages/approvals-page';
import { ImportPage } from './pages/import-page';
import { ModelPage } from './pages/model-page';
import { ModelsPage } from './pages/models-page';
import { RecommendPage } from './pages/recommend-page';
import { SignInPage } from './pages/sign-in-page';

// The chart library is the largest part of the bundle: loaded when the leaderboard is opened.
const LeaderboardPage = lazy(() => import('./pages/leaderboard-page').then((module) => ({ default: module.LeaderboardPage })));

const CHECK = '{ models(first: 1) { totalCount } }';

export function App() {
  const [token, setToken] = useState<string | null>(() => storedToken());
  const [refusal, setRefusal] = useState<string | null>(null);
  const [checked, setChecked] = useState(false);
  const api = useMemo(() => (token ? createApiClient(token) : null), [token]);
  useEffect(() => () => api?.dispose(), [api]);

  const session = useMemo<Session | null>(() => {
    if (!token || !api) return null;
    return {
      token,
      identity: identityOf(token),
      api,
      signOut: (reason?: string) => {
        signOut();
        setRefusal(reason ?? null);
        setChecked(false);
        setToken(null);
      },
    };
  }, [token, api]);

  // A pasted or linked token is tried once: a refused one sends the user back to the sign-in form, saying why.
  useEffect(() => {
    if (!session || checked) return;
    void session.api.urql
      .query(CHECK, {})
      .toPromise()
      .then((result) => {
        if (errorCode(result.error) === 'UNAUTHENTICATED') session.signOut(`The token was refused: ${errorText(result.error)}`);
        else setChecked(true);
      });
  }, [session, checked]);

  if (!session) {
    return (
      <SignInPage
        refusal={refusal}
        onToken={(value) => {
          signIn(value);
          setRefusal(null);
          setToken(storedToken());
        }}
      />
    );
  }
  return (
    <SessionContext.Provider value={session}>
      <Provider value={session.api.urql}>
        <Shell />
      </Provider>
    </SessionContext.Provider>
  );
}

function Shell() {
  const route = useRoute();
  return (
    <SessionContext.Consumer>
      {(session) => (
        <>
          <a className="skip" href="#main">
            Skip to content
          </a>
          <header className="top">
            <Link to={href('/')} className="brand">
              ModelHub
            </Link>
            <nav aria-label="Main">
              <Link to={href('/')} aria-current={route.page === 'models' ? 'page' : undefined}>
                Models
              </Link>
              <Link to={href('/import')} aria-current={route.page === 'import' ? 'page' : undefined}>
                Import
              </Link>
              <Link to={href('/approvals')} aria-current={route.page === 'approvals' ? 'page' : undefined}>
                Approvals
              </Link>
              <Link to={href('/leaderboard')} aria-current={route.page === 'leaderboard' ? 'page' : undefined}>
                Leaderboard
              </Link>
              <Link to={href('/recommend')} aria-current={route.page === 'recommend' ? 'page' : undefined}>
                Recommend
              </Link>
            </nav>
            <div className="who">
              <span data-testid="whoami">
                {session?.identity?.subject ?? 'signed in'}
                {session?.identity?.roles.length ? ` · ${session.identity.roles.join(', ')}` : ''}
              </span>
              <button type="button" onClick={() => session?.signOut()}>
                Sign out
              </button>
            </div>
          </header>
          <main id="main" tabIndex={-1}>
            {route.page === 'models' ? <ModelsPage params={route.params} /> : null}
            {route.page === 'model' ? <ModelPage name={route.name} params={route.params} /> : null}
            {route.page === 'approvals' ? <ApprovalsPage /> : null}
            {route.page === 'leaderboard' ? (
              <Suspense fallback={<p className="muted">Loading the leaderboard…</p>}>
                <LeaderboardPage params={route.params} />
              </Suspense>
            ) : null}
            {route.page === 'import' ? <ImportPage params={route.params} /> : null}
            {route.page === 'recommend' ? <RecommendPage /> : null}
            {route.page === 'not-found' ? (
              <p>
                No such page. <Link to={href('/')}>Back to the models</Link>
              </p>
            ) : null}
          </main>
        </>
      )}
    </SessionContext.Consumer>
  );
}
