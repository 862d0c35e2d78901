// Headers that keep the pages from being framed, sniffed or fed someone else's script, and keep
// answers carrying signer data or secrets out of every cache. The pages' only inline script (the
// volunteer page's boot-copy read, index.html) is allowed by its hash, read from the built files at
// start: `script-src 'self'` and nothing inline otherwise, so an injected script cannot run.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';

const PAGES = ['index.html', 'lead.html'];
const INLINE_SCRIPT = /<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi;

/** The CSP source of every inline script of the built pages, `'sha256-…'`. */
export function inlineScriptHashes(staticDir: string | undefined): string[] {
  const hashes = new Set<string>();
  for (const page of PAGES) {
    const file = staticDir ? join(staticDir, page) : '';
    if (!file || !existsSync(file)) continue;
    for (const [, body] of readFileSync(file, 'utf8').matchAll(INLINE_SCRIPT)) {
      hashes.add(
        `'sha256-${createHash('sha256')
          .update(body ?? '', 'utf8')
          .digest('base64')}'`,
      );
    }
  }
  return [...hashes].sort();
}

export function contentSecurityPolicy(scriptHashes: readonly string[]): string {
  return [
    "default-src 'self'",
    `script-src 'self'${scriptHashes.map((h) => ` ${h}`).join('')}`,
    "style-src 'self'",
    // The lead's QR codes are SVG data URLs made on the server.
    "img-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Location only for the optional, consented capture location; nothing else a petition needs. */
const PERMISSIONS_POLICY = 'camera=(), microphone=(), geolocation=(self), payment=(), usb=(), serial=(), bluetooth=(), display-capture=()';

export function securityHeaders(app: FastifyInstance, staticDir: string | undefined): void {
  const csp = contentSecurityPolicy(inlineScriptHashes(staticDir));
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('content-security-policy', csp);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('permissions-policy', PERMISSIONS_POLICY);
    reply.header('cross-origin-opener-policy', 'same-origin');
    // Every API answer may carry a signer, a token or a one-time password: none is kept by a cache.
    if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
    return payload;
  });
}
