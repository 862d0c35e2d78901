// "Sync now" keeps its promise when a sync is already on its way (the network returning, the timer,
// a save started it): once that sync ends, the tablet asks for the drive, and sends what was saved
// since that sync began — not a minute later on the timer.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceSignatures, drawAutograph, fillSigner, launchTablet } from '../support/browser';
import { startProxy, type FaultProxy } from '../support/fault-proxy';
import { startServer, type ServerProcess } from '../support/server-process';

const work = mkdtempSync(join(tmpdir(), 'fieldpen-sync-now-'));
const dataDir = join(work, 'data');
let server: ServerProcess | undefined;
let proxy: FaultProxy | undefined;
let tablet: BrowserContext | undefined;
let page: Page;
/** The next batch that arrives at the proxy is held this long: a sync that is still running when the volunteer taps. */
let holdNextBatchMs = 0;

beforeAll(async () => {
  server = await startServer(dataDir);
  proxy = await startProxy({
    target: server.url,
    fault: (_n, request) => {
      if (holdNextBatchMs === 0 || request.method !== 'POST' || !request.path.startsWith('/api/v1/batches')) return { kind: 'pass' };
      const ms = holdNextBatchMs;
      holdNextBatchMs = 0;
      return { kind: 'delay', ms };
    },
  });
  tablet = await launchTablet(join(work, 'profile'));
  page = tablet.pages()[0] ?? (await tablet.newPage());
  await page.goto(proxy.url);
  await page.getByLabel('Enrollment code').fill(server.enrollmentCode);
  await page.getByLabel('Your name (volunteer)').fill('Sam Rivera');
  await page.getByRole('button', { name: 'Enroll this tablet' }).click();
  await page.locator('#petition-title').waitFor({ timeout: 20_000 });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
});

afterAll(async () => {
  await tablet?.close();
  await proxy?.stop();
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('Sync now during a running sync', () => {
  it('asks for the drive and sends what was saved meanwhile, once the running sync ends', async () => {
    // The organizer now requires the email (written into the server's database, as their edit would be).
    const db = new Database(join(dataDir, 'fieldpen.sqlite'));
    try {
      db.prepare('update drives set required_fields = ?').run(JSON.stringify(['email']));
    } finally {
      db.close();
    }
    // A sync the volunteer did not ask for starts (the network came back), and the volunteer taps
    // Sync now in the same moment, before the screen could show "Syncing…".
    holdNextBatchMs = 4_000;
    await page.evaluate(() => {
      window.dispatchEvent(new Event('online'));
      document.querySelector<HTMLButtonElement>('.status__sync')!.click();
    });
    await expect.poll(() => page.getByRole('button', { name: 'Syncing…' }).count()).toBe(1);
    // While that sync travels, a signer signs.
    await fillSigner(page, {
      givenName: 'Rosa',
      familyName: 'Delgado',
      street: '12 Oak Avenue',
      city: 'Columbus',
      state: 'OH',
      zip: '43215',
      email: 'rosa@example.org',
    });
    await drawAutograph(page, 0);
    await page.getByRole('button', { name: 'Save signature' }).click();
    await page.locator('.notice', { hasText: 'Saved #1.' }).waitFor({ timeout: 10_000 });

    // Well within the minute before the timer's sync: the signature is on the server, and the next
    // signer meets the drive as it is now (the email required).
    await expect.poll(async () => (await deviceSignatures(page)).map((r) => r.state), { timeout: 20_000 }).toEqual(['confirmed']);
    await expect.poll(() => page.getByLabel('Email', { exact: true }).count(), { timeout: 20_000 }).toBe(1);
    const held = new Database(join(dataDir, 'fieldpen.sqlite'), { readonly: true });
    try {
      expect(held.prepare('select seq from signatures').all()).toEqual([{ seq: 1 }]);
    } finally {
      held.close();
    }
  }, 60_000);
});
