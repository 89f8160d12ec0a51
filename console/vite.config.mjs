// The web console: a client of the public GraphQL (HTTP + graphql-ws) and /files API, served by the API process at
// /console/ from console/dist (CONSOLE_DIR). `npm run console:build` builds it; `npm run console:dev` serves it with
// hot reload against an API on MODELHUB_URL (default http://127.0.0.1:4000).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const api = process.env.MODELHUB_URL ?? 'http://127.0.0.1:4000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  // Vite's own transformer (oxc) compiles TSX; no Babel plugin is needed for a production build.
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    // GraphiQL's editor (Monaco) is large; it ships in its own chunks, loaded only by the explorer page.
    chunkSizeWarningLimit: 4096,
    // Two pages: the console, and the GraphQL explorer the API serves to a browser's GET /graphql.
    rolldownOptions: { input: { console: fileURLToPath(new URL('index.html', import.meta.url)), explorer: fileURLToPath(new URL('explorer.html', import.meta.url)) },
      // GraphiQL's UI libraries mark their modules "use client" (a React Server Components hint, meaningless in a page).
      onLog(level, log, handler) {
        if (log.code !== 'MODULE_LEVEL_DIRECTIVE') handler(level, log);
      },
    },
  },
  server: {
    proxy: {
      '/graphql': { target: api, ws: true },
      '/files': { target: api },
    },
  },
});
