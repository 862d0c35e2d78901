// What the volunteer's tablet loads, and how fast the app opens with no network.
//
// first_load_gzip_bytes: every HTML, JS and CSS response the page itself loads on a first visit,
//   from opening the address through enrollment to the signer form ready, gzipped (level 6, the
//   gzip default) one by one. The service worker's script and what it precaches on its own are not
//   counted (the precache total is given as a detail). Baseline: Dexie's own minified build, gzipped
//   the same way: the largest single piece of the app.
// offline_start_ms: a relaunched browser on the enrolled profile, offline, from navigation start to
//   the signer form ready for input (the first field in the document, enabled); median of runs.
//   Baseline: a blank page's load in the same relaunched, offline browser.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { BrowserContext, Page } from 'playwright-core';
import { launchTablet } from '../support/browser';
import { startServer } from '../support/server-process';
import { median, type Metric } from './metric';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUNS = 7;
const gz = (b: Buffer | string) => gzipSync(b, { level: 6 }).length;

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
    execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], { cwd: ROOT, env: { ...process.env, NODE_ENV: 'production' }, stdio: ['ignore', 'ignore', 'inherit'] });
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
    const firstLoad = loaded.reduce((n, f) => n + f.gzip, 0);
    const dexie = gz(readFileSync(createRequire(import.meta.url).resolve('dexie/dist/dexie.min.js')));
    const precached = precacheGzipBytes();
    log({
      metric: 'first_load_gzip_bytes',
      value: firstLoad,
      unit: 'bytes',
      baseline: dexie,
      baseline_is: 'dexie.min.js alone, gzip level 6',
      goal: '<= 61440',
      files: loaded.map((f) => `${f.url} ${f.gzip}`),
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
    log({ metric: 'offline_start_ms', value: round(median(app)), unit: 'ms', baseline: round(median(blank)), baseline_is: 'blank page, same relaunched offline browser', goal: '<= 400', runs: app.map(round), baseline_runs: blank.map(round) });
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

/** Everything the service worker precaches for offline use (HTML, JS, CSS), as its manifest in sw.js lists it, gzipped the same way. */
function precacheGzipBytes(): number {
  const dist = join(ROOT, 'dist');
  const sw = readFileSync(join(dist, 'sw.js'), 'utf8');
  const urls = new Set([...sw.matchAll(/"url":"([^"]+)"|url:"([^"]+)"/g)].map((m) => (m[1] ?? m[2])!));
  if (urls.size === 0) throw new Error('no precache manifest found in dist/sw.js');
  let total = 0;
  for (const url of urls) if (/\.(js|css|html)$/.test(url)) total += gz(readFileSync(join(dist, url)));
  return total;
}

const round = (n: number) => Math.round(n * 10) / 10;
