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
    chunkSizeWarningLimit: 1024,
  },
  server: {
    proxy: {
      '/graphql': { target: api, ws: true },
      '/files': { target: api },
    },
  },
});
