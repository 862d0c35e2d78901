// The Content-Security-Policy holds in a real browser: the volunteer's and the lead's pages run
// under it with no violation (the boot script allowed by its hash), and a script injected into the
// page does not run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { launchTablet } from '../support/browser';
import { startServer, type ServerProcess } from '../support/server-process';

const work = mkdtempSync(join(tmpdir(), 'fieldpen-csp-'));
let server: ServerProcess | undefined;

afterAll(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('the content security policy in Chromium', () => {
  it('lets both pages run, and refuses an injected inline script', async () => {
    server = await startServer(join(work, 'data'));
    const browser = await launchTablet(join(work, 'profile'));
    try {
      const page = browser.pages()[0] ?? (await browser.newPage());
      const violations: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
      });
      await page.goto(server.url);
      await expect.poll(() => page.getByLabel('Enrollment code').count(), { timeout: 15_000 }).toBe(1);
      // The boot script ran: it is allowed by its hash, not by 'unsafe-inline'.
      expect(await page.evaluate(() => '__bootCopy' in window)).toBe(true);

      await page.goto(`${server.url}/lead`);
      await expect.poll(() => page.getByRole('button', { name: 'Sign in' }).count(), { timeout: 15_000 }).toBe(1);
      expect(violations).toEqual([]);

      await page.evaluate(() => {
        const script = document.createElement('script');
        script.textContent = 'window.__injected = true';
        document.head.append(script);
      });
      expect(await page.evaluate(() => (window as { __injected?: boolean }).__injected)).toBeUndefined();
      await expect.poll(() => violations.length).toBeGreaterThan(0);
    } finally {
      await browser.close();
    }
  });
});
