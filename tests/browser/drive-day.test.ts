// A drive run as the README tells it, in real Chromium against the real server process: the
// organizer signs in with the printed one-time password, creates a drive and a lead; the lead makes
// an enrollment code; two tablets enroll, take signatures and sync; the lead's dashboard (open all
// along, never reloaded) shows both devices complete. A signer whose name is markup shows as text.
// On SQLite; on PostgreSQL too when FIELDPEN_TEST_DATABASE_URL is set (`npm run test:postgres`).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { drawAutograph, fillSigner, launchTablet, type SignerDetails } from '../support/browser';
import { startServer, type ServerProcess } from '../support/server-process';
import { createTestDatabase, TEST_DATABASE_URL } from '../server/harness';

const XSS_NAME = '<img src=x onerror=alert(1)>';
/** What the organizer types when creating the drive, and again to open its signers. */
const DRIVE_PASSPHRASE = 'library books on sunday afternoons';
const TABLETS: { name: string; volunteer: string; signers: SignerDetails[] }[] = [
  {
    name: 'Blue tablet',
    volunteer: 'Sam Rivera',
    signers: [
      { givenName: XSS_NAME, familyName: 'Tester', street: '1 Main Street', city: 'Columbus', state: 'OH', zip: '43215' },
      { givenName: 'Wei', familyName: 'Chen', street: '881 High Street', city: 'Columbus', state: 'OH', zip: '43201' },
    ],
  },
  {
    name: 'Green tablet',
    volunteer: 'Ana Lima',
    signers: [
      { givenName: 'Marcus', familyName: "O'Neil", street: '5 Linden Place', city: 'Dayton', state: 'OH', zip: '45402' },
      { givenName: 'Ruth', familyName: 'Baker', street: '9 Oak Road', city: 'Dayton', state: 'OH', zip: '45403' },
    ],
  },
];

const work = mkdtempSync(join(tmpdir(), 'fieldpen-drive-'));
const cleanups: (() => Promise<unknown>)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
});

async function firstPage(context: BrowserContext): Promise<Page> {
  return context.pages()[0] ?? context.newPage();
}

async function enrollAndCollect(url: string, code: string, tablet: (typeof TABLETS)[number], profile: string): Promise<void> {
  const context = await launchTablet(profile);
  try {
    const page = await firstPage(context);
    await page.goto(url);
    await page.getByLabel('Enrollment code').fill(code);
    await page.getByLabel('Your name (volunteer)').fill(tablet.volunteer);
    await page.getByLabel('Tablet name (optional)').fill(tablet.name);
    await page.getByRole('button', { name: 'Enroll this tablet' }).click();
    await expect.poll(() => page.locator('#petition-title').textContent(), { timeout: 20_000 }).toBe('Library hours on Sundays');
    for (const [i, signer] of tablet.signers.entries()) {
      await fillSigner(page, signer);
      await drawAutograph(page, i);
      await page.getByRole('button', { name: 'Save signature' }).click();
      await expect.poll(() => page.locator('.notice').textContent(), { timeout: 10_000 }).toBe(`Saved #${i + 1}. Ready for the next signer.`);
    }
    await page.getByRole('button', { name: 'Sync now' }).click();
    await expect.poll(() => page.getByTestId('sync-statement').textContent(), { timeout: 20_000 }).toContain('none waiting');
  } finally {
    await context.close();
  }
}

async function runDrive(label: string, env: Record<string, string>): Promise<void> {
  const server: ServerProcess = await startServer(join(work, `data-${label}`), undefined, env);
  cleanups.push(() => server.stop());
  const { url } = server;
  const email = /Organizer account:\s*(\S+)/.exec(server.output())?.[1];
  const password = /Organizer one-time password:\s*(\S+)/.exec(server.output())?.[1];
  expect(email).toBeTruthy();
  expect(password).toBeTruthy();

  const office = await launchTablet(join(work, `office-${label}`));
  cleanups.push(() => office.close());
  const page = await firstPage(office);
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });

  // The organizer signs in and creates the drive.
  await page.goto(`${url}/lead`);
  await page.getByLabel('Email').fill(email!);
  await page.getByLabel('Password').fill(password!);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'New drive' }).click();
  const form = page.getByRole('form', { name: 'New drive' });
  // The fields every signer gives, worded as the tablet's form words them; only the email is a choice.
  await expect
    .poll(() => form.getByText('Every signer gives:').textContent())
    .toBe('Every signer gives: Given name, Family name, Street address, City, State, ZIP code.');
  expect(await form.getByLabel("Require the signer's email", { exact: false }).isChecked()).toBe(false);
  await form.getByLabel('Title', { exact: true }).fill('Library hours on Sundays');
  await form.getByLabel('Goal (signatures)').fill('500');
  await form.getByLabel('Recipient').fill('Columbus City Council');
  await form.getByLabel('Petition title (en)').fill('Library hours on Sundays');
  await form.getByLabel('Petition text (en)').fill('We ask the city to open every public library on Sundays.');
  // The drive's passphrase, with the plain warning; then its recovery key, shown once.
  expect(await form.getByRole('note').textContent()).toContain('Fieldpen cannot recover this passphrase');
  await form.getByLabel('Drive passphrase', { exact: true }).fill(DRIVE_PASSPHRASE);
  await form.getByLabel('Drive passphrase again').fill(DRIVE_PASSPHRASE);
  await form.getByRole('button', { name: 'Create drive' }).click();
  const recovery = page.getByRole('region', { name: "Save the drive's recovery key now" });
  expect(await recovery.getByTestId('recovery-key').textContent({ timeout: 10_000 })).toMatch(/^([0-9A-F]{4}-){15}[0-9A-F]{4}$/);
  const [saved] = await Promise.all([page.waitForEvent('download'), recovery.getByRole('button', { name: 'Download the recovery key' }).click()]);
  expect(saved.suggestedFilename()).toBe('fieldpen-recovery-key-Library-hours-on-Sundays.txt');
  await recovery.getByRole('button', { name: 'I have saved it' }).click();
  await expect.poll(() => page.locator('#progress-title').textContent(), { timeout: 10_000 }).toBe('Library hours on Sundays');

  // … adds a lead to it, who gets a one-time password.
  await page.getByLabel("Lead's name").fill('Lee Park');
  await page.getByLabel("Lead's email").fill('lee@example.org');
  await page.getByRole('button', { name: 'Add lead to this drive' }).click();
  const leadPassword = (await page.getByTestId('lead-password').textContent({ timeout: 10_000 }))!;
  await page.getByRole('button', { name: 'Sign out' }).click();

  // The lead signs in and makes a code for two tablets.
  await page.getByRole('heading', { name: 'Sign in to Fieldpen' }).waitFor({ timeout: 10_000 });
  await page.getByLabel('Email').fill('lee@example.org');
  await page.getByLabel('Password').fill(leadPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect.poll(() => page.locator('#progress-title').textContent(), { timeout: 10_000 }).toBe('Library hours on Sundays');
  await page.getByLabel('Devices it enrolls').fill('2');
  await page.getByRole('button', { name: 'Create enrollment code' }).click();
  const code = (await page.getByTestId('enrollment-code').first().textContent({ timeout: 10_000 }))!;
  expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  expect(await page.getByRole('img', { name: `QR code for enrollment code ${code}` }).isVisible()).toBe(true);
  await expect.poll(() => page.locator('.live').textContent(), { timeout: 10_000 }).toContain('Live');

  // Two tablets enroll, collect and sync, while the dashboard stays open.
  for (const [i, tablet] of TABLETS.entries()) await enrollAndCollect(url, code, tablet, join(work, `tablet-${label}-${i}`));

  // Day's end, live: both devices complete, four signatures, without a reload.
  for (const tablet of TABLETS) {
    const row = page.locator(`tr[data-device="${tablet.name}"]`);
    await expect.poll(() => row.getByTestId('complete').textContent(), { timeout: 20_000 }).toBe('✓ complete');
    expect(await row.locator('td').first().textContent()).toBe(tablet.volunteer);
  }
  await expect.poll(() => page.getByTestId('total').textContent()).toBe('4');
  expect(await page.getByText('Every device has handed in everything it captured.').isVisible()).toBe(true);

  // Leads see figures, not signers; the organizer opens them with the drive's passphrase.
  expect(await page.getByRole('heading', { name: 'Latest signers' }).count()).toBe(0);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('Email').fill(email!);
  await page.getByLabel('Password').fill(password!);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Drive', { exact: true }).selectOption({ label: 'Library hours on Sundays' });
  await expect.poll(() => page.locator('#progress-title').textContent(), { timeout: 10_000 }).toBe('Library hours on Sundays');
  const signers = page.getByRole('region', { name: 'Latest signers' });
  await signers.getByLabel('Drive passphrase').fill(DRIVE_PASSPHRASE);
  // Signer details, escaped: the markup name is text, and nothing ran.
  await signers.getByRole('button', { name: 'Show latest signers' }).click();
  await expect.poll(() => page.locator('td.signer-name').allTextContents(), { timeout: 10_000 }).toContain(`${XSS_NAME} Tester`);
  expect(await page.locator('table.signers img').count()).toBe(0);
  await page.waitForTimeout(300); // an onerror handler would have fired by now
  expect(dialogs).toEqual([]);
}

describe('a drive from the README', () => {
  it('on SQLite: organizer, lead, two tablets, and a dashboard that shows both complete', async () => {
    await runDrive('sqlite', {});
  }, 240_000);

  it.runIf(TEST_DATABASE_URL)(
    'on PostgreSQL: the same drive, the same result',
    async () => {
      const database = await createTestDatabase();
      cleanups.push(() => database.drop());
      await runDrive('postgres', { DATABASE_URL: database.url });
    },
    240_000,
  );
});
