// Every volunteer screen, checked by axe-core in real Chromium in both orientations of a tablet
// and at 200% zoom (half the CSS viewport), the order of focus through the signer form, and the
// browser's own installability check.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../support/axe';
import { drawAutograph, fillSigner, launchTablet } from '../support/browser';
import { enrolledTablet, setRoster, type EnrolledTablet } from '../support/volunteer';

const ORIENTATIONS = [
  { name: 'landscape', width: 1024, height: 768 },
  { name: 'portrait', width: 768, height: 1024 },
  // 200% zoom: the same tablet with half as many CSS pixels.
  { name: 'landscape at 200%', width: 512, height: 384 },
  { name: 'portrait at 200%', width: 384, height: 512 },
];

let t: EnrolledTablet;
beforeAll(async () => {
  t = await enrolledTablet('Sam Rivera');
  // Something on today's list, one of them voided, and a roster for the shift screen.
  for (const [i, name] of ['Rosa', 'Wei'].entries()) {
    await fillSigner(t.page, { givenName: name, familyName: 'Okafor', street: `${i + 1} Oak Avenue`, city: 'Columbus', state: 'OH', zip: '43215' });
    await drawAutograph(t.page, i);
    await t.page.getByRole('button', { name: 'Save signature' }).click();
    await t.page.locator('#next-signer').click();
  }
  await setRoster(t.page, ['Ana Ruiz', 'Sam Rivera']);
});
afterAll(async () => {
  await t?.close();
});

/** Each screen and state a volunteer or signer sees, reached from a fresh load. */
const SCREENS: { name: string; open: (page: Page, url: string) => Promise<void> }[] = [
  { name: 'signer form', open: async (page, url) => void (await page.goto(url), await page.locator('#petition-title').waitFor()) },
  {
    name: 'signer form with errors',
    open: async (page, url) => {
      await page.goto(url);
      await page.getByRole('button', { name: 'Save signature' }).click();
      await page.locator('#givenName-error').waitFor();
    },
  },
  {
    name: 'assisted signing and a same-signer warning',
    open: async (page, url) => {
      await page.goto(url);
      await fillSigner(page, { givenName: 'Rosa', familyName: 'Okafor', street: '1 Oak Avenue', city: 'Columbus', state: 'OH', zip: '43215' });
      await page.getByLabel('Email (optional)').focus();
      await page.getByTestId('same-signer').waitFor();
      await page.getByLabel('Signed with assistance').check();
      await page.getByRole('button', { name: 'Save signature' }).click();
      await page.locator('#attestation-error').waitFor();
    },
  },
  {
    name: 'thank-you',
    open: async (page, url) => {
      await page.goto(url);
      await fillSigner(page, { givenName: 'Ana', familyName: 'Lee', street: '9 Birch Lane', city: 'Columbus', state: 'OH', zip: '43215' });
      await drawAutograph(page, 2);
      await page.getByRole('button', { name: 'Save signature' }).click();
      await page.locator('#next-signer').waitFor();
    },
  },
  {
    name: 'signer form in Spanish',
    open: async (page, url) => {
      await page.goto(url);
      await page.getByRole('button', { name: 'Español' }).click();
      await page.locator('label[for=givenName]', { hasText: 'Nombre' }).waitFor();
    },
  },
  {
    name: 'signer form in Chinese',
    open: async (page, url) => {
      await page.goto(url);
      await page.getByRole('button', { name: '简体中文' }).click();
      await page.locator('label[for=givenName]', { hasText: '名' }).waitFor();
    },
  },
  {
    name: "today's list with a void in progress",
    open: async (page, url) => {
      await page.goto(`${url}/#today`);
      await page.getByRole('button', { name: 'Void #1' }).click();
      await page.getByRole('button', { name: 'Void signature #1' }).click();
      await page.locator('#void-reason-1-error').waitFor();
    },
  },
  { name: 'device status', open: async (page, url) => void (await page.goto(`${url}/#device`), await page.getByTestId('storage-estimate').waitFor()) },
  {
    name: 'shift',
    open: async (page, url) => {
      await page.goto(`${url}/#shift`);
      await page.getByLabel('Someone else').check();
      await page.getByRole('button', { name: 'Start collecting' }).click();
      await page.locator('#shift-name-error').waitFor();
    },
  },
];

describe('accessibility of every volunteer screen (axe-core in Chromium)', () => {
  for (const o of ORIENTATIONS) {
    it(`finds no violations on any screen, ${o.name} (${o.width}×${o.height})`, async () => {
      const { page, server } = t;
      await page.setViewportSize(o);
      const found: string[] = [];
      for (const screen of SCREENS) {
        await screen.open(page, server.url);
        found.push(...(await axeViolations(page)).map((v) => `${screen.name}: ${v}`));
        // The form keeps the signer's language through a reload: back to English for the next screen.
        if (screen.name === 'signer form in Chinese') await page.getByRole('button', { name: 'English' }).click();
      }
      expect(found).toEqual([]);
    }, 120_000);
  }

  it('finds no violations on the enrollment screen of a new tablet, in both orientations', async () => {
    const fresh = await launchTablet(`${t.profile}-fresh`);
    try {
      const page = fresh.pages()[0] ?? (await fresh.newPage());
      const found: string[] = [];
      for (const o of ORIENTATIONS) {
        await page.setViewportSize(o);
        await page.goto(t.server.url);
        await page.getByRole('button', { name: 'Enroll this tablet' }).click();
        await page.locator('#enroll-code-error').waitFor();
        found.push(...(await axeViolations(page)).map((v) => `${o.name}: ${v}`));
      }
      expect(found).toEqual([]);
    } finally {
      await fresh.close();
    }
  }, 60_000);
});

describe('keyboard and focus', () => {
  it('moves focus through the signer form in the order of the flow', async () => {
    const { page, server } = t;
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(server.url);
    await page.getByRole('button', { name: 'English' }).focus();
    const order: string[] = [];
    for (let i = 0; i < 14; i++) {
      await page.keyboard.press('Tab');
      order.push(
        await page.evaluate(() => {
          const el = document.activeElement as HTMLElement | null;
          return el?.id || el?.textContent?.trim() || (el as HTMLInputElement | null)?.type || '';
        }),
      );
    }
    expect(order).toEqual([
      'Español',
      '简体中文',
      'givenName',
      'familyName',
      'street',
      'city',
      'state',
      'zip',
      'email',
      'Undo stroke',
      'Clear',
      'checkbox',
      'Change',
      'Save signature',
    ]);
  });
});

describe('the enrollment screen', () => {
  it('opens with focus on the enrollment code, or on the name when the lead’s QR code brought the code', async () => {
    const fresh = await launchTablet(`${t.profile}-enroll-focus`);
    try {
      const page = fresh.pages()[0] ?? (await fresh.newPage());
      await page.goto(t.server.url);
      await page.locator('#enroll-code').waitFor();
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('enroll-code');
      await page.keyboard.type('K7QM-3XPD'); // typing goes straight into the field
      expect(await page.getByLabel('Enrollment code').inputValue()).toBe('K7QM-3XPD');

      await page.goto(`${t.server.url}/#enroll=K7QM-3XPD`);
      await page.reload();
      await page.locator('#enroll-code').waitFor();
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('volunteer');
    } finally {
      await fresh.close();
    }
  });
});

describe('installing the app', () => {
  it('has no installability errors in Chromium (manifest, icons, service worker)', async () => {
    const { page, server } = t;
    await page.goto(server.url);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    const cdp = await page.context().newCDPSession(page);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] };
    expect(installabilityErrors).toEqual([]);
    const manifest = (await cdp.send('Page.getAppManifest')) as { errors: unknown[]; url: string };
    expect(manifest.errors).toEqual([]);
    expect(manifest.url).toContain('manifest.webmanifest');
  });
});
