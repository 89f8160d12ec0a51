import path from 'node:path';
import express, { type Request, type RequestHandler, type Router } from 'express';
import { isFile, PAGE_HEADERS } from '../console/console.routes';

export interface ExplorerDeps {
  /** The built console (CONSOLE_DIR): the explorer is its second page, explorer.html, with assets under /console/assets. */
  consoleDir: string;
  /** GRAPHQL_EXPLORER: off in production unless turned on. */
  enabled: boolean;
}

const OFF = 'The GraphQL explorer is off on this server (GRAPHQL_EXPLORER=false; it is off in production unless set to true). ' +
  'GraphQL is answered at POST /graphql, and over graphql-ws on the same path.\n';
const NOT_BUILT = 'The GraphQL explorer is part of the web console build: run `npm run console:build` (it writes console/dist/explorer.html), ' +
  'or set CONSOLE_DIR to a built console folder.\n';

/** The console's page policy, plus inline fonts: GraphiQL's CSS embeds its typefaces and icons as data: URLs. */
const EXPLORER_HEADERS: Readonly<Record<string, string>> = {
  ...PAGE_HEADERS,
  'content-security-policy': `${PAGE_HEADERS['content-security-policy']}; font-src 'self' data:`,
};

/**
 * A person's browser, not a GraphQL client: a read whose Accept prefers HTML over JSON. A GET carrying a `query` is a
 * GraphQL request whatever it accepts, and stays Apollo's.
 */
function wantsPage(req: Request): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (req.query.query !== undefined) return false;
  return req.accepts(['application/graphql-response+json', 'application/json', 'text/html']) === 'text/html';
}

/**
 * GET /graphql from a browser: GraphiQL (console/explorer.html, bundled by the console's Vite build, no CDN). It is a
 * client of the same public API: POST /graphql with the pasted token, graphql-ws for subscriptions. Every other request
 * to /graphql goes on to Apollo untouched.
 */
export function explorerRoutes({ consoleDir, enabled }: ExplorerDeps): Router {
  const router = express.Router();
  const page = path.join(consoleDir, 'explorer.html');
  router.get('/', async (req, res, next) => {
    if (!wantsPage(req)) return next();
    if (!enabled) return void res.status(404).type('text/plain').send(OFF);
    if (!(await isFile(page))) return void res.status(404).type('text/plain').send(NOT_BUILT);
    for (const [name, value] of Object.entries(EXPLORER_HEADERS)) res.setHeader(name, value);
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(page);
  });
  return router;
}

/**
 * `/` in a browser: to the console when it is built, else to the explorer when it is on. Anything else (a JSON client,
 * or nothing to show) goes on to the JSON 404 it always had.
 */
export function browserHome({ consoleDir, enabled }: ExplorerDeps): RequestHandler {
  return async (req, res, next) => {
    if (!wantsPage(req)) return next();
    if (await isFile(path.join(consoleDir, 'index.html'))) return res.redirect(302, '/console/');
    if (enabled && (await isFile(path.join(consoleDir, 'explorer.html')))) return res.redirect(302, '/graphql');
    next();
  };
}
