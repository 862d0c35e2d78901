// A bench-only page in real Chromium running the app's own storage, capture and sync code: the
// entry tests/bench/page/bench-entry.ts is bundled with Vite into a temporary folder (never into
// dist/, so nothing of it ships in the volunteer bundle) and served by Playwright's router at
// `<origin>/bench/`, so the page can share its origin with a server or proxy under test.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { CHROMIUM, CHROMIUM_ARGS } from '../../support/browser';
import type { BenchApi } from '../page/bench-entry';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
let bundle: Promise<string> | undefined;

function buildBundle(): Promise<string> {
  bundle ??= (async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'fieldpen-bench-build-'));
    try {
      await build({
        configFile: false,
        root: ROOT,
        logLevel: 'error', // stdout carries only the benchmark's JSON lines
        define: { __APP_VERSION__: JSON.stringify('bench') },
        build: {
          outDir,
          emptyOutDir: true,
          target: 'es2022',
          minify: true,
          lib: { entry: join(ROOT, 'tests/bench/page/bench-entry.ts'), formats: ['es'], fileName: () => 'bench.js' },
          // One file: the app loads its sealing code with import() (src/storage/signatures.ts), and only bench.js is served.
          rollupOptions: { output: { inlineDynamicImports: true } },
        },
      });
      return readFileSync(join(outDir, 'bench.js'), 'utf8');
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  })();
  return bundle;
}

export interface BenchPage {
  page: Page;
  context: BrowserContext;
  close(): Promise<void>;
}

const HTML = `<!doctype html><meta charset="utf-8"><title>Fieldpen bench</title>
<style>body{margin:0} canvas{display:block;width:900px;height:300px;touch-action:none}</style>
<canvas class="autograph__pad" width="900" height="300"></canvas>
<script type="module">import * as bench from '/bench/bench.js'; window.bench = bench.api; document.title = 'ready';</script>`;

/** Open the bench page at `origin` (default: an origin nothing listens on; the router serves it). */
export async function openBenchPage(options: { origin?: string; deviceScaleFactor?: number } = {}): Promise<BenchPage> {
  const js = await buildBundle();
  const origin = options.origin ?? 'http://127.0.0.1:9';
  const profile = mkdtempSync(join(tmpdir(), 'fieldpen-bench-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1024, height: 768 },
    deviceScaleFactor: options.deviceScaleFactor ?? 1,
    args: CHROMIUM_ARGS,
  });
  await context.route(`${origin}/bench/**`, (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/bench/bench.js') return route.fulfill({ contentType: 'text/javascript', body: js });
    return route.fulfill({ contentType: 'text/html', body: HTML });
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => console.error('bench page error:', e));
  await page.goto(`${origin}/bench/index.html`);
  await page.waitForFunction(() => document.title === 'ready');
  return {
    page,
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Call a function of the page's bench API with JSON arguments. */
export function call<K extends keyof BenchApi>(page: Page, name: K, ...args: Parameters<BenchApi[K]>): Promise<Awaited<ReturnType<BenchApi[K]>>> {
  return page.evaluate(([n, a]) => (window as unknown as { bench: Record<string, (...x: unknown[]) => unknown> }).bench[n as string]!(...(a as unknown[])), [
    name,
    args,
  ] as const) as Promise<Awaited<ReturnType<BenchApi[K]>>>;
}
