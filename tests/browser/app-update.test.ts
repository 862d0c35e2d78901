// A new version of the app reaches a tablet: offered by the service worker (workbox-window), never
// applied over a form that holds a signer's input, applied on the volunteer's tap once the form is
// empty. The ways a tablet meets it: the page of its very first visit, still open when the version
// appears; a tablet opened again later with a draft waiting in its form; two tabs, one applying it.
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import { CHROMIUM, launchTablet } from '../support/browser';
import { createTestDrive, startServer, type Harness } from '../server/harness';

const DIST = fileURLToPath(new URL('../../dist', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'fieldpen-update-'));
const app = join(work, 'app');
const profile = join(work, 'profile');
let server: Harness;
let url: string;
let code: string;

/** Publish a new version: the service worker's script changes, as any release changes it. */
const release = (n: number) => appendFileSync(join(app, 'sw.js'), `\n// release ${n}\n`);

const READY = 'A new version of Fieldpen is ready.';
const LATER = 'It will be offered again when the form is empty.';

/** A value kept on the page's window: gone if the page reloads. */
const mark = (page: Page) => page.evaluate('window.__notReloaded = true');
const notReloaded = (page: Page) => page.evaluate('window.__notReloaded === true');
const checkForUpdate = (page: Page) => page.evaluate('navigator.serviceWorker.getRegistration().then((r) => r.update())');

beforeAll(async () => {
  cpSync(DIST, app, { recursive: true });
  server = await startServer({ staticDir: app });
  url = await server.app.listen({ port: 0, host: '127.0.0.1' });
  ({ code } = await createTestDrive(server.db));
});
afterAll(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('a new version of the app', () => {
  it('reaches the page of a first visit, waits while the form holds input, and applies on the tap', async () => {
    const tablet = await launchTablet(profile);
    try {
      const page = tablet.pages()[0] ?? (await tablet.newPage());
      await page.goto(url);
      await page.getByLabel('Enrollment code').fill(code);
      await page.getByLabel('Your name (volunteer)').fill('Sam Rivera');
      await page.getByRole('button', { name: 'Enroll this tablet' }).click();
      await page.locator('#petition-title').waitFor({ timeout: 15_000 });
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });
      expect(await page.locator('.update').count()).toBe(0);

      await page.getByLabel('Given name').fill('Rosa');
      await mark(page);
      release(1);
      await checkForUpdate(page);
      await expect.poll(() => page.locator('.update').textContent(), { timeout: 15_000 }).toContain(READY);
      expect(await page.locator('.update').textContent()).toContain(LATER);
      expect(await page.getByRole('button', { name: 'Update now' }).count()).toBe(0);

      // The form emptied, the offer comes back with its button; the tap reloads into the new version.
      await page.getByLabel('Given name').fill('');
      await page.getByRole('button', { name: 'Update now' }).click();
      await expect.poll(() => notReloaded(page).catch(() => 'navigating'), { timeout: 15_000 }).toBe(false);
      await page.locator('#petition-title').waitFor();
      const workers = await page.evaluate('navigator.serviceWorker.getRegistration().then((r) => [r.active?.state, r.waiting === null])');
      expect(workers).toEqual(['activated', true]);
      expect(await page.locator('.update').count()).toBe(0);
    } finally {
      await tablet.close();
    }
  }, 90_000);

  it('is offered to a tablet opened again, and never reloads over a draft the form restored', async () => {
    let tablet = await launchTablet(profile);
    try {
      let page = tablet.pages()[0] ?? (await tablet.newPage());
      await page.goto(url);
      await page.getByLabel('Given name').fill('Wei');
      await page.getByLabel('Family name').fill('Chen');
      // The draft is written a moment after typing stops.
      await page.waitForTimeout(1000);
      await tablet.close();

      release(2);
      tablet = await launchTablet(profile);
      page = tablet.pages()[0] ?? (await tablet.newPage());
      await page.goto(url);
      await expect.poll(() => page.getByLabel('Family name').inputValue(), { timeout: 15_000 }).toBe('Chen');
      await mark(page);
      await expect.poll(() => page.locator('.update').textContent(), { timeout: 15_000 }).toContain(READY);
      expect(await page.locator('.update').textContent()).toContain(LATER);
      expect(await page.getByRole('button', { name: 'Update now' }).count()).toBe(0);
      await page.waitForTimeout(1000);
      expect(await notReloaded(page)).toBe(true);
      expect(await page.getByLabel('Given name').inputValue()).toBe('Wei');
    } finally {
      await tablet.close();
    }
  }, 90_000);

  it('a page whose sync engine file is gone (a newer version replaced it) says to reload', async () => {
    // No service worker here, so that the page's own request for the file can be refused.
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const context = await browser.newContext({ serviceWorkers: 'block' });
      await context.route(/\/assets\/sync-engine-[^/]+\.js$/, (route) => route.fulfill({ status: 404, body: 'gone' }));
      const page = await context.newPage();
      await page.goto(url);
      await page.getByLabel('Enrollment code').fill(code);
      await page.getByLabel('Your name (volunteer)').fill('Sam Rivera');
      await page.getByRole('button', { name: 'Enroll this tablet' }).click();
      await page.locator('#petition-title').waitFor({ timeout: 15_000 });
      await page.getByRole('button', { name: 'Sync now' }).click();
      await expect
        .poll(() => page.locator('.status__detail').textContent(), { timeout: 15_000 })
        .toContain('Sync could not start: reload Fieldpen (Update now) to go on syncing.');
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('applied in one tab, is offered to the other as a reload, which that tap performs', async () => {
    const tablet = await launchTablet(profile);
    try {
      const first = tablet.pages()[0] ?? (await tablet.newPage());
      await first.goto(url);
      await expect.poll(() => first.getByLabel('Family name').inputValue(), { timeout: 15_000 }).toBe('Chen');
      await first.getByLabel('Given name').fill('');
      await first.getByLabel('Family name').fill('');
      await first.waitForTimeout(1000); // the emptied form's draft is written
      const second = await tablet.newPage();
      await second.goto(url);
      await second.locator('#petition-title').waitFor({ timeout: 15_000 });
      await mark(first);
      await mark(second);

      release(3);
      await checkForUpdate(first);
      for (const page of [first, second]) await expect.poll(() => page.getByRole('button', { name: 'Update now' }).count(), { timeout: 15_000 }).toBe(1);
      await first.getByRole('button', { name: 'Update now' }).click();
      await expect.poll(() => notReloaded(first).catch(() => 'navigating'), { timeout: 15_000 }).toBe(false);

      // The other tab is still the old version under the new worker: it waits for the volunteer...
      await second.waitForTimeout(1000);
      expect(await notReloaded(second)).toBe(true);
      expect(await second.locator('.update').textContent()).toContain(READY);
      // ...and its tap reloads it (there is no waiting worker left to activate).
      await second.getByRole('button', { name: 'Update now' }).click();
      await expect.poll(() => notReloaded(second).catch(() => 'navigating'), { timeout: 15_000 }).toBe(false);
      await second.locator('#petition-title').waitFor();
      expect(await second.locator('.update').count()).toBe(0);
    } finally {
      await tablet.close();
    }
  }, 90_000);
});
