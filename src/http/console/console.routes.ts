import { stat } from 'node:fs/promises';
import path from 'node:path';
import express, { type Request, type Response, type Router } from 'express';

export interface ConsoleRoutesDeps {
  /** The built console (CONFIG consoleDir, CONSOLE_DIR): index.html and assets/. */
  dir: string;
}

/**
 * The console is a client of the public API only: same origin, so it needs no CORS, and it talks to /graphql (HTTP
 * and graphql-ws) and /files with the token it holds. The policy keeps a README's HTML (sanitised in the browser too)
 * from loading scripts or images from elsewhere; no-referrer because tokens never belong in another site's logs.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ws: wss:; " +
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

const NOT_BUILT = 'The web console is not built: run `npm run console:build` (it writes console/dist), or set CONSOLE_DIR to a built console folder.\n';

export async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

function isRead(req: Request): boolean {
  return req.method === 'GET' || req.method === 'HEAD';
}

/**
 * /console: static files of the built single-page app. Page paths (/console/models/<name>, …) answer index.html and
 * the app routes on the client; a missing asset or any other file name is a plain 404. Mounted with `use` only, so it
 * adds no verb route: nothing here reads project data.
 */
export function consoleRoutes({ dir }: ConsoleRoutesDeps): Router {
  const router = express.Router();
  const index = path.join(dir, 'index.html');

  router.use(async (req: Request, res: Response, next) => {
    if (!isRead(req)) return next();
    for (const [name, value] of Object.entries(PAGE_HEADERS)) res.setHeader(name, value);
    // Without the slash the page's relative URLs would resolve against the site root.
    if (req.originalUrl === '/console' || req.originalUrl.startsWith('/console?')) return res.redirect(301, `/console/${req.originalUrl.slice('/console'.length)}`);
    if (!(await isFile(index))) return void res.status(404).type('text/plain').send(NOT_BUILT);
    next();
  });
  // File names under assets/ carry their content hash: cached for good.
  router.use('/assets', express.static(path.join(dir, 'assets'), { index: false, immutable: true, maxAge: '365d' }));
  router.use(express.static(dir, { index: false, maxAge: 0 }));
  router.use((req: Request, res: Response, next) => {
    if (!isRead(req)) return next();
    if (req.path.startsWith('/assets/') || path.extname(req.path) !== '') return void res.status(404).type('text/plain').send('Not found\n');
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}
