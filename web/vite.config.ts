// Builds the agent web app into dist/web, which the API server serves at `/`. In development
// (`npx vite --config web/vite.config.ts`) it proxies /api to a running server on port 3000.
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const api = process.env.THREADBOX_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
  },
  server: {
    proxy: {
      '/api': {
        target: api,
        changeOrigin: true,
        // The server refuses cookie-authenticated changes from another origin; through the proxy the
        // page's origin is the dev server's, so it is rewritten to the server's own.
        configure: (proxy) => proxy.on('proxyReq', (request) => request.setHeader('origin', api)),
      },
    },
  },
});
