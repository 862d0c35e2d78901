// What the volunteer's tablet loads, and how fast the app opens with no network.
//
// first_load_gzip_bytes: the page and what it loads before the app runs, read from dist/ and gzipped
//   (level 6, the gzip default) one by one by tests/support/first-load.ts, the same computation the
//   budget test in `npm test` uses. The bench checks it against the real thing: every HTML, JS and
//   CSS response the page loads on a first visit, from opening the address through enrollment to the
//   signer form ready, must be a file of that list with the same bytes, or a script the app imports
//   on first use (the enrollment screen, Save's body: `first_visit_later_files`), and every file of
//   the list must be loaded. The service worker's script
//   and what it precaches on its own are not counted (the precache total is given as a detail).
//   Baseline: Dexie's own minified build, gzipped the same way: the largest single piece of the app.
// offline_start_ms: a relaunched browser on the enrolled profile, offline, from navigation start to
//   the signer form ready for input (the first field in the document, enabled); median of runs.
//   Baseline: a blank page's load in the same relaunched, offline browser.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { launchTablet } from '../support/browser';
import { FIRST_LOAD_BUDGET_GZIP, firstLoad, gzipBytes as gz, precacheGzipBytes, totalGzip } from '../support/first-load';
import { startServer } from '../support/server-process';
import { median, type Metric } from './metric';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUNS = 7;

// Records, in the page, the moment the signer form can take input.
const FORM_READY_PROBE = `
  new MutationObserver((_, observer) => {
    const field = document.getElementById('givenName');
    if (field && !field.disabled) {
      window.__formReadyAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
`;

export default async function volunteerLoad(log: (m: Metric) => void): Promise<void> {
  if (!process.env.FIELDPEN_SKIP_BUILD) {
    execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  const work = mkdtempSync(join(tmpdir(), 'fieldpen-bench-load-'));
  const server = await startServer(join(work, 'data'));
  const profile = join(work, 'profile');
  try {
    // ── first visit ──
    let tablet = await launchTablet(profile);
    let page = tablet.pages()[0] ?? (await tablet.newPage());
    const loaded: { url: string; bytes: number; gzip: number }[] = [];
    const pending: Promise<void>[] = [];
    page.on('response', (response) => {
      const type = response.request().resourceType();
      if (!['document', 'script', 'stylesheet'].includes(type)) return;
      if (new URL(response.url()).pathname === '/sw.js') return;
      pending.push(
        response.body().then(
          (body) => void loaded.push({ url: new URL(response.url()).pathname, bytes: body.length, gzip: gz(body) }),
          () => {},
        ),
      );
    });
    await page.goto(server.url);
    await page.getByLabel('Enrollment code').fill(server.enrollmentCode);
    await page.getByLabel('Your name (volunteer)').fill('Bench Volunteer');
    await page.getByRole('button', { name: 'Enroll this tablet' }).click();
    await page.locator('#givenName').waitFor();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await page.waitForLoadState('networkidle');
    await Promise.all(pending);
    const files = firstLoad(join(ROOT, 'dist'));
    const counted = new Map(files.map((f) => [f.path, f.gzip]));
    const html = readFileSync(join(ROOT, 'dist', 'index.html'), 'utf8');
    for (const f of loaded) {
      const gzip = counted.get(f.url);
      // Counted: the same bytes. Not counted: only a script the app imports when it needs it (the
      // enrollment screen, Save's body, the purge: see README "Save and the first load") — never a
      // file the page itself names, which would be a first-load file the count missed.
      if (gzip === undefined ? !f.url.endsWith('.js') || html.includes(f.url.slice(f.url.lastIndexOf('/') + 1)) : gzip !== f.gzip)
        throw new Error(
          `the page loaded ${f.url} (${f.gzip} B gzip) on its first visit, which tests/support/first-load.ts counts as ${gzip ?? 'not part of the first load'}`,
        );
    }
    for (const f of files)
      if (!loaded.some((l) => l.url === f.path)) throw new Error(`tests/support/first-load.ts counts ${f.path}, which the page never loaded`);
    const dexie = gz(readFileSync(createRequire(import.meta.url).resolve('dexie/dist/dexie.min.js')));
    const precached = precacheGzipBytes(join(ROOT, 'dist'));
    log({
      metric: 'first_load_gzip_bytes',
      value: totalGzip(files),
      unit: 'bytes',
      baseline: dexie,
      baseline_is: 'dexie.min.js alone, gzip level 6',
      goal: `<= ${FIRST_LOAD_BUDGET_GZIP}`,
      files: files.map((f) => `${f.path} ${f.gzip}`),
      first_visit_gzip_bytes: totalGzip([...new Map(loaded.map((l) => [l.url, { path: l.url, bytes: l.bytes, gzip: l.gzip }])).values()]),
      first_visit_later_files: loaded.filter((l) => !counted.has(l.url)).map((l) => `${l.url} ${l.gzip}`),
      precache_gzip_bytes: precached,
    });
    await tablet.close();

    // ── offline start, relaunched browser ──
    const app: number[] = [];
    const blank: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      // Alternate which goes first, so neither always meets a warmer disk cache.
      for (const which of i % 2 ? (['blank', 'app'] as const) : (['app', 'blank'] as const)) {
        tablet = await launchTablet(profile, { offline: true });
        page = tablet.pages()[0] ?? (await tablet.newPage());
        if (which === 'app') app.push(await formReadyMs(tablet, page, server.url));
        else blank.push(await blankPageMs(page));
        await tablet.close();
      }
    }
    log({
      metric: 'offline_start_ms',
      value: round(median(app)),
      unit: 'ms',
      baseline: round(median(blank)),
      baseline_is: 'blank page, same relaunched offline browser',
      goal: '<= 400',
      runs: app.map(round),
      baseline_runs: blank.map(round),
    });
  } finally {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

async function formReadyMs(tablet: BrowserContext, page: Page, url: string): Promise<number> {
  await tablet.addInitScript(FORM_READY_PROBE);
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(() => (window as { __formReadyAt?: number }).__formReadyAt !== undefined, null, { timeout: 15_000 });
  return page.evaluate(() => (window as unknown as { __formReadyAt: number }).__formReadyAt);
}

async function blankPageMs(page: Page): Promise<number> {
  await page.goto('data:text/html,<!doctype html><title>blank</title><p id=ready>blank</p><script>window.__readyAt=performance.now()</script>');
  return page.evaluate(() => (window as unknown as { __readyAt: number }).__readyAt);
}

const round = (n: number) => Math.round(n * 10) / 10;
