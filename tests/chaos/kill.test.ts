// "Saved" is true: the browser process killed with SIGKILL the moment "Saved" shows, and the
// signature is there when the browser comes back on the same profile — 20 times out of 20.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { fillSigner, launchKillableTablet as launch, openedSignatures, type KillableTablet } from '../support/browser';
import { startServer, type ServerProcess } from '../support/server-process';
import { openDriveKey } from '../support/volunteer';

const TRIALS = Number(process.env.KILL_TRIALS ?? 20);

const work = mkdtempSync(join(tmpdir(), 'fieldpen-kill-'));
let server: ServerProcess | undefined;
let tablet: KillableTablet | undefined;

afterAll(async () => {
  await tablet?.kill().catch(() => {});
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** One quick stroke on the autograph pad: enough for a valid autograph, few round trips to the browser. */
async function scribble(page: Page, variant: number): Promise<void> {
  const pad = page.locator('canvas.autograph__pad');
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.5);
  await page.mouse.down();
  // Up and down like handwriting: the minimum-ink check refuses a line that is nearly straight.
  for (let i = 1; i <= 6; i++)
    await page.mouse.move(box.x + box.width * (0.2 + i * 0.1), box.y + box.height * (0.5 + (i % 2 ? -0.25 : 0.2) + Math.sin(variant) * 0.05), { steps: 2 });
  await page.mouse.up();
}

/** Open the app; returns false when it only opened after a reload (seen rarely in CI after a kill; logged, not hidden). */
async function openApp(page: Page, url: string): Promise<boolean> {
  await page.goto(url);
  const opened = () => expect.poll(() => page.locator('#petition-title').isVisible(), { timeout: 30_000 }).toBe(true);
  try {
    await opened();
    return true;
  } catch {
    console.warn('kill test: the relaunched app did not show the form within 30 s; reloading once');
    await page.reload();
    await opened();
    return false;
  }
}

describe('a browser killed right after "Saved"', () => {
  it(`keeps the signature, ${TRIALS} times out of ${TRIALS}`, async () => {
    server = await startServer(join(work, 'data'));
    // What was kept is read as the organizer would: the sealed details opened with the drive's key.
    const driveKey = await openDriveKey(join(work, 'data'), /Demo drive passphrase:\s*(\S+)/.exec(server.output())?.[1] ?? '');
    const profile = join(work, 'profile');
    tablet = await launch(profile);
    await tablet.page.goto(server.url);
    await tablet.page.getByLabel('Enrollment code').fill(server.enrollmentCode);
    await tablet.page.getByLabel('Your name (volunteer)').fill('Sam Rivera');
    await tablet.page.getByRole('button', { name: 'Enroll this tablet' }).click();
    await expect.poll(() => tablet!.page.locator('#petition-title').isVisible(), { timeout: 20_000 }).toBe(true);

    const kept: boolean[] = [];
    let reloads = 0;
    for (let trial = 1; trial <= TRIALS; trial++) {
      const { page } = tablet;
      const t0 = Date.now();
      const familyName = `Trial ${trial}`;
      await fillSigner(page, { givenName: 'Kim', familyName, street: `${trial} Pine Road`, city: 'Toledo', state: 'OH', zip: '43604' });
      await scribble(page, trial);
      await page.getByRole('button', { name: 'Save signature' }).click();
      await page.locator('.notice', { hasText: `Saved #${trial}.` }).waitFor({ timeout: 10_000 });
      const t1 = Date.now();
      await tablet.kill();
      const t2 = Date.now();

      tablet = await launch(profile);
      const t3 = Date.now();
      if (!(await openApp(tablet.page, server.url))) reloads++;
      if (process.env.KILL_TIMING) console.log(`form ${t1 - t0} kill ${t2 - t1} launch ${t3 - t2} open ${Date.now() - t3}`);
      const rows = await openedSignatures(tablet.page, driveKey);
      const row = rows.find((r) => r.seq === trial);
      kept.push((row?.signer as { familyName?: string } | undefined)?.familyName === familyName);
    }
    if (reloads) console.warn(`kill test: ${reloads} of ${TRIALS} relaunches needed a reload to show the form`);
    expect(kept.filter(Boolean).length).toBe(TRIALS);
  }, 480_000);
});
