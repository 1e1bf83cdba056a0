// Serves the built agent web app (dist/web) at `/`: its files as they are, and index.html for every
// other page path so the app's own router can open it; /api and /webhooks keep their JSON not-found.
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run build` puts the web app, beside the compiled server (dist/http -> dist/web). */
export const BUILT_WEB_APP = fileURLToPath(new URL('../web/', import.meta.url));

// The API and provider webhooks answer their own not-found, and so does a missing file (a path whose
// last segment has an extension), so a stale script is never answered with the page.
const NOT_APP_PAGES = /^\/(api|webhooks)(\/|$)|\.[a-z0-9]+$/i;

/** Serves the web app from `root` when it has been built there; returns whether it is served. */
export async function serveWebApp(app: FastifyInstance, root: string): Promise<boolean> {
  if (!fs.existsSync(path.join(root, 'index.html'))) return false;
  await app.register(fastifyStatic, {
    root,
    wildcard: false,
    index: false,
    // Hashed asset names change with every build, so they can be kept; index.html must not be.
    setHeaders: (reply, filePath) => reply.header('cache-control', filePath.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache'),
  });
  const page = (request: FastifyRequest, reply: FastifyReply) => {
    if (NOT_APP_PAGES.test(request.url.split('?')[0] ?? '')) return reply.callNotFound();
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  };
  app.get('/', { schema: { hide: true } }, page);
  app.get('/*', { schema: { hide: true } }, page);
  return true;
}
