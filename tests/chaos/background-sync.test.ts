// Background Sync as a wake-up: a signature saved while online reaches the server through the
// service worker even when the page is closed right after "Saved"; a page left open shows the
// receipt of the worker's sync.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS } from '../support/browser';
import { startServer, type ServerProcess } from '../support/server-process';
import { pageHooksScript } from './page-hooks-bundle';

const work = mkdtempSync(join(tmpdir(), 'fieldpen-bgsync-'));
let server: ServerProcess | undefined;
let browser: Browser | undefined;

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('Background Sync', () => {
  it('wakes the service worker to send a signature after its page has closed', async () => {
    const dataDir = join(work, 'data');
    server = await startServer(dataDir);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    const context = await browser.newContext();
    await context.addInitScript({ content: await pageHooksScript() });
    const page = await context.newPage();
    await page.goto(server.url);
    await page.getByLabel('Enrollment code').fill(server.enrollmentCode);
    await page.getByLabel('Your name (volunteer)').fill('Sam Rivera');
    await page.getByRole('button', { name: 'Enroll this tablet' }).click();
    await expect.poll(() => page.locator('#petition-title').isVisible(), { timeout: 20_000 }).toBe(true);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
    expect(await page.evaluate(async () => 'sync' in (await navigator.serviceWorker.ready))).toBe(true);

    const saved = await page.evaluate(() => window.__chaos!.capture(1));
    // The page asks for the wake-up when it sees the new signature (well before its own 5 s fallback); then it is gone.
    await page.waitForTimeout(300);
    await page.close();

    const db = new Database(join(dataDir, 'fieldpen.sqlite'), { readonly: true });
    try {
      await expect
        .poll(() => db.prepare('select digest from signatures where id = ?').get(saved.id), { timeout: 30_000, interval: 250 })
        .toEqual({ digest: saved.digest });
    } finally {
      db.close();
    }

    // A page that stays open learns of the worker's sync: its status shows the server's new receipt
    // although the page itself sent nothing.
    const open = await context.newPage();
    const sentByPage: string[] = [];
    open.on('request', (request) => {
      if (new URL(request.url()).pathname === '/api/v1/batches') sentByPage.push(request.url());
    });
    await open.goto(server.url);
    await expect.poll(() => open.locator('#petition-title').isVisible(), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => open.getByRole('button', { name: 'Sync now' }).isEnabled()).toBe(true); // its start-up sync
    await expect.poll(() => open.locator('.status__detail').textContent()).toContain('1 saved on this tablet · none waiting · 1 confirmed by server');
    sentByPage.length = 0;
    await open.evaluate(() => window.__chaos!.capture(1));
    await expect
      .poll(() => open.locator('.status__detail').textContent(), { timeout: 30_000 })
      .toContain('2 saved on this tablet · none waiting · 2 confirmed by server');
    expect(sentByPage).toEqual([]);
  }, 120_000);
});
