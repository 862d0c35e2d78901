// The built PWA, served from the API's origin. The service worker, the page and the manifest must
// be revalidated on every load, or an update never reaches the device; hashed assets never change.
import { existsSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const REVALIDATE = new Set(['sw.js', 'sw-sync.js', 'index.html', 'lead.html', 'manifest.webmanifest']);
/** The lead and organizer dashboard: its own page, never part of the volunteer app. */
export const LEAD_PATH = '/lead';
const NO_CACHE = 'no-cache';
const IMMUTABLE = 'public, max-age=31536000, immutable';
const ASSETS = '/assets/';

/** Serve `root`; returns the navigation fallback for the not-found handler. */
export function serveStaticFiles(app: FastifyInstance, root: string): (request: FastifyRequest, reply: FastifyReply) => boolean {
  app.register(fastifyStatic, {
    root,
    setHeaders(reply, path) {
      const cacheControl = cacheControlFor(relative(root, path).split(sep).join('/'));
      if (cacheControl) reply.header('cache-control', cacheControl);
    },
  });
  return (request, reply) => {
    if (!isNavigation(request)) return false;
    const path = request.url.split('?')[0] ?? '';
    if (path === LEAD_PATH || path.startsWith(`${LEAD_PATH}/`)) {
      if (!existsSync(join(root, 'lead.html'))) return false;
      reply.header('cache-control', NO_CACHE).sendFile('lead.html');
      return true;
    }
    if (!existsSync(join(root, 'index.html'))) return false;
    reply.header('cache-control', NO_CACHE).sendFile('index.html');
    return true;
  };
}

function cacheControlFor(file: string): string | undefined {
  if (REVALIDATE.has(basename(file))) return NO_CACHE;
  if (`/${file}`.startsWith(ASSETS)) return IMMUTABLE;
  return undefined;
}

/**
 * A GET or HEAD the app's router should answer. Not /api (its 404 is JSON) and not /assets/: a
 * missing hashed asset answered with HTML would fail in the browser as a wrong MIME type.
 */
function isNavigation(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const path = request.url.split('?')[0] ?? '';
  return !(path === '/api' || path.startsWith('/api/') || path.startsWith(ASSETS));
}
