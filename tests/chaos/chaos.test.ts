// Chaos, in real Chromium against the real server process: three tablets (browser contexts) capture
// hundreds of signatures while a proxy between them and the server drops connections mid-request and
// mid-response, answers 500s, delays, and delivers requests twice; the server is killed with SIGKILL
// mid-batch and restarted; pages reload mid-sync. At the end the server holds every signature exactly
// once with the device's digest, and every tablet's receipt says complete.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { receiptCodeOf } from '../../src/shared/receipt-code';
import { CHROMIUM, CHROMIUM_ARGS } from '../support/browser';
import { startProxy, type Fault, type FaultProxy } from '../support/fault-proxy';
import { startServer, type ServerProcess } from '../support/server-process';
import type { ChaosHooks } from './page-hooks';
import { pageHooksScript } from './page-hooks-bundle';

const DEVICES = 3;
const SIGNATURES_PER_DEVICE = 150;
const CHUNK = 10;

/** A small seeded generator, so a failing schedule can be replayed with CHAOS_SEED. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const work = mkdtempSync(join(tmpdir(), 'fieldpen-chaos-'));
let server: ServerProcess | undefined;
let proxy: FaultProxy | undefined;
let browser: Browser | undefined;

afterAll(async () => {
  await browser?.close();
  await proxy?.stop();
  await server?.stop('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

const hooks = <T>(page: Page, fn: (h: ChaosHooks, arg: number) => Promise<T>, arg = 0): Promise<T> =>
  page.evaluate(
    async ([source, a]) => {
      for (let i = 0; i < 100 && !window.__chaos; i++) await new Promise((r) => setTimeout(r, 20));
      return (new Function('h', 'a', `return (${source})(h, a)`) as (h: ChaosHooks, a: number) => Promise<T>)(window.__chaos!, a);
    },
    [fn.toString(), arg] as const,
  );

describe('chaos between tablets and the server', () => {
  it('loses nothing and duplicates nothing through dropped connections, 500s, double deliveries, a killed server and reloads', async () => {
    const seed = Number(process.env.CHAOS_SEED ?? Date.now() % 100_000);
    const rand = random(seed);
    // Said first, so a failure anywhere below can be replayed.
    console.log(`chaos seed ${seed} (replay with CHAOS_SEED=${seed})`);
    const dataDir = join(work, 'data');
    server = await startServer(dataDir);
    const { port, enrollmentCode } = server;

    // Faults only on batches: the app shell and enrollment are not what is under test.
    let calm = false;
    let batches = 0;
    // A run here sent 86 batches in the noisy phase, and fewer on a busier machine: both kills fall well inside it.
    const killAt = new Set([20, 50]);
    let restarting: Promise<void> | undefined;
    const killServerMidBatch = () => {
      restarting ??= (async () => {
        await new Promise((r) => setTimeout(r, 5 + rand() * 25)); // the batch is on its way in
        await server!.stop('SIGKILL');
        await new Promise((r) => setTimeout(r, 300));
        server = await startServer(dataDir, port);
      })().finally(() => (restarting = undefined));
    };
    const fault = (_n: number, request: { method: string; path: string }): Fault => {
      if (calm || request.method !== 'POST' || !request.path.startsWith('/api/v1/batches')) return { kind: 'pass' };
      batches++;
      if (killAt.has(batches)) {
        killServerMidBatch();
        return { kind: 'pass' };
      }
      const r = rand();
      if (r < 0.12) return { kind: 'drop-request' };
      if (r < 0.24) return { kind: 'drop-response' };
      if (r < 0.34) return { kind: 'status', status: 500 };
      if (r < 0.46) return { kind: 'twice' };
      if (r < 0.58) return { kind: 'delay', ms: Math.round(100 + rand() * 600) };
      return { kind: 'pass' };
    };
    proxy = await startProxy({ target: server.url, latencyMs: 5, fault });

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    const script = await pageHooksScript();
    const pages: Page[] = [];
    for (let d = 0; d < DEVICES; d++) {
      const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
      await context.addInitScript({ content: script });
      const page = await context.newPage();
      await page.goto(proxy.url);
      await page.getByLabel('Enrollment code').fill(enrollmentCode);
      await page.getByLabel('Your name (volunteer)').fill(`Volunteer ${d + 1}`);
      await page.getByRole('button', { name: 'Enroll this tablet' }).click();
      await expect.poll(() => page.locator('#petition-title').isVisible(), { timeout: 20_000 }).toBe(true);
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
      pages.push(page);
    }

    // Each tablet: capture in chunks; now and then tap "Sync now" and reload in the middle of it.
    const shown: { id: string; seq: number; digest: string }[][] = pages.map(() => []);
    let reloads = 0;
    await Promise.all(
      pages.map(async (page, d) => {
        for (let done = 0; done < SIGNATURES_PER_DEVICE; done += CHUNK) {
          for (let i = 1; i <= CHUNK; i++) shown[d]!.push(await hooks(page, (h, n) => h.capture(n), d * 10_000 + done + i));
          if (done === 40) await hooks(page, (h) => h.rows().then((rows) => h.strike(rows[3]!.id, 'Signer asked to withdraw')));
          const r = rand();
          if (r < 0.35) {
            await page
              .getByRole('button', { name: 'Sync now' })
              .click()
              .catch(() => {});
            await page.waitForTimeout(Math.round(20 + rand() * 300));
            await page.reload();
            reloads++;
            await expect.poll(() => page.locator('#petition-title').isVisible(), { timeout: 20_000 }).toBe(true);
          } else if (r < 0.6) {
            await page
              .getByRole('button', { name: 'Sync now' })
              .click()
              .catch(() => {});
          }
          // A voided record before it was ever sent, on every tablet.
          if (done === 100) await hooks(page, (h) => h.rows().then((rows) => h.strike(rows[rows.length - 1]!.id, 'Signed twice')));
        }
      }),
    );
    while (restarting) await restarting;
    expect(batches, `chaos seed ${seed}: both kills happen mid-batch`).toBeGreaterThan(Math.max(...killAt));

    // The network calms down: each tablet syncs until it has nothing waiting.
    calm = true;
    for (const page of pages) {
      await expect
        .poll(
          async () => {
            if (await page.getByRole('button', { name: 'Sync now' }).isEnabled()) await page.getByRole('button', { name: 'Sync now' }).click();
            const counts = await hooks(page, (h) => h.counts());
            const receipt = await hooks(page, (h) => h.receipt());
            return counts.waiting === 0 && receipt?.complete === true && receipt.capturedThrough === counts.capturedThrough;
          },
          { timeout: 60_000, interval: 1000 },
        )
        .toBe(true);
    }

    const db = new Database(join(dataDir, 'fieldpen.sqlite'), { readonly: true });
    try {
      for (const [d, page] of pages.entries()) {
        const deviceId = (await hooks(page, (h) => h.deviceId()))!;
        const rows = await hooks(page, (h) => h.rows());
        // 0 lost: every signature that showed "Saved" is on the tablet, confirmed, and on the server.
        expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: rows.length }, (_, i) => i + 1));
        const onDevice = new Map(rows.map((r) => [r.id, r]));
        for (const s of shown[d]!) expect(onDevice.get(s.id)).toMatchObject({ seq: s.seq, digest: s.digest, confirmed: true });
        expect(rows.every((r) => r.confirmed && (r.voidReason === undefined || r.voidConfirmed))).toBe(true);

        // Exactly once, identical digests, voids included.
        const held = db.prepare('select id, seq, digest, void_reason from signatures where device_id = ? order by seq').all(deviceId) as {
          id: string;
          seq: number;
          digest: string;
          void_reason: string | null;
        }[];
        expect(held.map((h) => [h.id, h.seq, h.digest, h.void_reason])).toEqual(rows.map((r) => [r.id, r.seq, r.digest, r.voidReason ?? null]));
        expect(rows.filter((r) => r.voidReason).length).toBe(2);
        const extra = db
          .prepare('select (select count(*) from conflicts where device_id = ?) as c, (select count(*) from rejections where device_id = ?) as r')
          .get(deviceId, deviceId);
        expect(extra).toEqual({ c: 0, r: 0 });

        // The receipt says complete, and its code is what the tablet computes from its own records.
        const receipt = (await hooks(page, (h) => h.receipt()))!;
        expect(receipt).toMatchObject({ received: rows.length, capturedThrough: rows.length, missing: [], missingCount: 0, complete: true, voided: 2 });
        expect(receipt.code).toBe(await receiptCodeOf(rows.map((r) => ({ digest: r.digest, voided: r.voidReason !== undefined }))));
        await expect
          .poll(
            async () => {
              await page
                .getByRole('button', { name: 'Sync now' })
                .click()
                .catch(() => {});
              return page.locator('.status__detail').textContent();
            },
            { timeout: 20_000 },
          )
          .toContain(`${rows.length} saved on this tablet · none waiting · ${rows.length} confirmed by server · receipt ${receipt.code}`);
      }
    } finally {
      db.close();
    }
    console.log(
      `chaos seed ${seed}: ${proxy.stats.requests} requests through the proxy, ${batches} batches, faults ${JSON.stringify(proxy.stats.faults)}, ${reloads} reloads, 2 server kills`,
    );
  }, 240_000);
});
