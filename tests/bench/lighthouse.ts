// `npm run lighthouse`: Lighthouse 12 on the production build served by the real server, in Debian's
// Chromium. Two pages: a tablet's first visit (the enrollment screen, storage cleared) and the
// signer form on an enrolled tablet (storage kept). Prints one JSON line per score; exits 1 when
// a score misses its goal (performance >= 95, accessibility 100, best practices 100).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { chromium } from 'playwright-core';
import { CHROMIUM } from '../support/browser';
import { startServer } from '../support/server-process';
import { ensureChromium } from '../ensure-chromium.mjs';

ensureChromium();
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GOALS = { performance: 95, accessibility: 100, 'best-practices': 100 } as const;

if (!process.env.FIELDPEN_SKIP_BUILD) {
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
const work = mkdtempSync(join(tmpdir(), 'fieldpen-lighthouse-'));
mkdirSync(join(work, 'profile'));
const server = await startServer(join(work, 'data'));
const chrome = await chromeLauncher.launch({
  chromePath: CHROMIUM,
  userDataDir: join(work, 'profile'),
  chromeFlags: [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
let missed = false;
try {
  const run = async (page: string, url: string, keepStorage: boolean) => {
    const result = await lighthouse(url, {
      port: chrome.port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: Object.keys(GOALS),
      disableStorageReset: keepStorage,
    });
    if (!result) throw new Error(`Lighthouse returned nothing for ${url}`);
    const { categories, audits } = result.lhr;
    for (const [id, goal] of Object.entries(GOALS)) {
      const score = Math.round((categories[id]?.score ?? 0) * 100);
      if (score < goal) missed = true;
      const failing = Object.values(audits)
        .filter((a) => a.score !== null && a.score < 1 && categories[id]?.auditRefs.some((r) => r.id === a.id && r.weight > 0))
        .map((a) => `${a.id}: ${a.displayValue ?? a.score}`);
      console.log(
        JSON.stringify({
          metric: `lighthouse_${id.replace('-', '_')}`,
          value: score,
          unit: 'score',
          goal: `>= ${goal}`,
          page,
          ...(failing.length ? { failing } : {}),
        }),
      );
    }
    const lcp = audits['largest-contentful-paint']?.numericValue;
    if (lcp !== undefined) console.log(JSON.stringify({ metric: 'lighthouse_lcp_ms', value: Math.round(lcp), unit: 'ms', page }));
  };

  await run('first visit (enrollment)', server.url, false);

  // Enroll this Chrome's profile, then measure the signer form as a volunteer opens it every day.
  const browser = await chromium.connectOverCDP(`http://127.0.0.1:${chrome.port}`);
  const page = await browser.contexts()[0]!.newPage();
  await page.goto(server.url);
  await page.getByLabel('Enrollment code').fill(server.enrollmentCode);
  await page.getByLabel('Your name (volunteer)').fill('Lighthouse Volunteer');
  await page.getByRole('button', { name: 'Enroll this tablet' }).click();
  await page.locator('#givenName').waitFor();
  await page.close();
  await browser.close();
  await run('signer form (enrolled tablet)', server.url, true);
} finally {
  await chrome.kill();
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}
process.exit(missed ? 1 : 0);
