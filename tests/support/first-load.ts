// What the volunteer's tablet loads first, read from the production build in dist/: the page and
// what it loads before the app can run (its stylesheets and scripts, and what those import
// statically), gzipped one by one at level 6 (the gzip default). The budget test
// (tests/unit/first-load-budget.test.ts) and the benchmark (tests/bench/volunteer-load.bench.ts)
// both measure with this, so the bytes counted and the budget they are held to are one definition.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** 60 KiB gzip: the volunteer's first load, the page included. */
export const FIRST_LOAD_BUDGET_GZIP = 61_440;

export const gzipBytes = (content: Buffer | string): number => gzipSync(content, { level: 6 }).length;

export interface LoadedFile {
  /** The address the page asks for: `/` for the page itself. */
  path: string;
  bytes: number;
  gzip: number;
}

/** `<script src>`, `<link rel="stylesheet|modulepreload" href>`: what index.html loads before the app runs. */
const PAGE_LOADS =
  /<script\b[^>]*\bsrc="([^"]+)"|<link\b[^>]*\brel="(?:stylesheet|modulepreload)"[^>]*\bhref="([^"]+)"|<link\b[^>]*\bhref="([^"]+)"[^>]*\brel="(?:stylesheet|modulepreload)"/g;
/** Static imports between chunks (`import{a}from"./x.js"`, `import"./x.js"`); `import()` is left to load later. */
const STATIC_IMPORTS = /\bfrom\s*["'](\.\/[^"']+)["']|\bimport\s*["'](\.\/[^"']+)["']/g;

/** Every file of the first load, the page first. */
export function firstLoad(dist: string): LoadedFile[] {
  const file = (path: string): LoadedFile => {
    const content = readFileSync(join(dist, path === '/' ? 'index.html' : path));
    return { path, bytes: content.length, gzip: gzipBytes(content) };
  };
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const seen = new Set<string>();
  const queue = [...html.matchAll(PAGE_LOADS)].map((m) => (m[1] ?? m[2] ?? m[3])!).filter((url) => url.startsWith('/'));
  while (queue.length > 0) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    seen.add(path);
    if (!path.endsWith('.js')) continue;
    const dir = path.slice(0, path.lastIndexOf('/') + 1);
    for (const m of readFileSync(join(dist, path), 'utf8').matchAll(STATIC_IMPORTS)) queue.push(dir + (m[1] ?? m[2])!.slice(2));
  }
  return [file('/'), ...[...seen].map(file)];
}

export const totalGzip = (files: readonly LoadedFile[]): number => files.reduce((n, f) => n + f.gzip, 0);

/** Everything the service worker precaches for offline use (HTML, JS, CSS), as its manifest in sw.js lists it, gzipped the same way. */
export function precacheGzipBytes(dist: string): number {
  const sw = readFileSync(join(dist, 'sw.js'), 'utf8');
  const urls = new Set([...sw.matchAll(/"url":"([^"]+)"|url:"([^"]+)"/g)].map((m) => (m[1] ?? m[2])!));
  if (urls.size === 0) throw new Error('no precache manifest found in dist/sw.js');
  let total = 0;
  for (const url of urls) if (/\.(js|css|html)$/.test(url)) total += gzipBytes(readFileSync(join(dist, url)));
  return total;
}
