// The lead's pages, checked by axe-core in real Chromium against the real server process: the
// sign-in page, and the dashboard with its figures and tables (a tablet's signatures delivered, the
// day's-end table and the latest signers shown), on a tablet held sideways and on a phone. A wide
// table scrolls sideways in a region the keyboard can reach.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API, PROTOCOL_VERSION, type EnrollResponse } from '../../src/shared/protocol';
import { axeViolations } from '../support/axe';
import { launchTablet } from '../support/browser';
import { signatureRecord } from '../support/records';
import { startServer, type ServerProcess } from '../support/server-process';

const VIEWPORTS = [
  { name: 'tablet, landscape', width: 1024, height: 768 },
  { name: 'phone', width: 390, height: 844 },
];

const work = mkdtempSync(join(tmpdir(), 'fieldpen-lead-a11y-'));
let server: ServerProcess;
let browser: BrowserContext;
let page: Page;
let email: string;
let password: string;
let passphrase: string;

/** A tablet enrolls with the demo code and delivers signatures through the device API, so the dashboard has figures. */
async function deliverSignatures(count: number): Promise<void> {
  const post = async (path: string, body: unknown, token?: string) => {
    const response = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  const device = (await post(API.enroll, { protocol: PROTOCOL_VERSION, code: server.enrollmentCode, deviceName: 'Blue tablet' })) as EnrollResponse;
  const records = await Promise.all(Array.from({ length: count }, (_, i) => signatureRecord(device, i + 1)));
  await post(API.batches, { protocol: PROTOCOL_VERSION, records, totals: { capturedThrough: count, waiting: 0, appVersion: '0.1.0' } }, device.token);
}

beforeAll(async () => {
  server = await startServer(join(work, 'data'));
  email = /Organizer account:\s*(\S+)/.exec(server.output())?.[1] ?? '';
  password = /Organizer one-time password:\s*(\S+)/.exec(server.output())?.[1] ?? '';
  passphrase = /Demo drive passphrase:\s*(\S+)/.exec(server.output())?.[1] ?? '';
  await deliverSignatures(3);
  browser = await launchTablet(join(work, 'office'));
  page = browser.pages()[0] ?? (await browser.newPage());
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("the lead's pages pass axe", () => {
  for (const viewport of VIEWPORTS) {
    it(`at ${viewport.width}×${viewport.height} (${viewport.name}): sign-in, and the dashboard with its figures and tables`, async () => {
      await page.setViewportSize({ width: viewport.width, height: viewport.height });
      await browser.clearCookies();
      await page.goto(`${server.url}/lead`);
      await page.getByRole('heading', { name: 'Sign in to Fieldpen' }).waitFor({ timeout: 10_000 });
      expect(await axeViolations(page), 'sign-in').toEqual([]);

      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.getByTestId('total').textContent(), { timeout: 10_000 }).toBe('3');
      await page.locator('tr[data-device="Blue tablet"]').waitFor();
      await page.getByRole('region', { name: 'Latest signers' }).getByLabel('Drive passphrase').fill(passphrase);
      await page.getByRole('button', { name: 'Show latest signers' }).click();
      await expect.poll(() => page.locator('td.signer-name').count(), { timeout: 10_000 }).toBe(3);
      expect(await axeViolations(page), 'dashboard').toEqual([]);
    }, 60_000);
  }

  it('lets the keyboard reach and scroll the latest signers at phone width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const region = page.getByRole('region', { name: 'Table of the latest signers' });
    // The table is wider than the phone: the region scrolls, so it must take focus.
    expect(await region.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    await page.getByRole('button', { name: 'Hide signers' }).focus();
    await page.keyboard.press('Tab');
    expect(await region.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => region.evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);
  }, 30_000);
});
