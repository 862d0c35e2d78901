// An organizer delivers a drive from the dashboard, in real Chromium against the real server process:
// preview (every exclusion shown, the repeat pair with its choice), Build, the progress bar, the
// download — whose bytes hash to the SHA-256 the page lists — each opened with the drive's passphrase
// typed into the panel (a wrong one is refused and opens nothing). Latest signers opens the same way
// and its passphrase field is empty again after. A lead's dashboard offers neither Deliver nor Latest
// signers, and the Deliver API refuses the lead (403; tests/server/signer-access.test.ts refuses it signers).
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { LEAD_API } from '../../src/shared/lead-api';
import { launchTablet } from '../support/browser';
import { deliverySigner, seedDeliveryDrive } from '../support/synced-drive';
import { batchPoster, enrollOverHttp, printedDemoDrive, printedOrganizer, signInOverHttp } from '../support/lead-http';
import { startServer } from '../support/server-process';

/** Enough signers that the build runs for a moment (its progress bar is seen), few enough to stay quick. */
const SIGNERS = 400;

const work = mkdtempSync(join(tmpdir(), 'fieldpen-deliver-'));
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
});

it('an organizer unlocks, builds and downloads a delivery and reads the latest signers; a lead has neither and gets 403', async () => {
  const server = await startServer(join(work, 'data'));
  cleanups.push(() => server.stop());
  const organizerLogin = printedOrganizer(server.output());
  const { passphrase } = printedDemoDrive(server.output());
  const a = await enrollOverHttp(server.url, server.enrollmentCode, 'Tablet A');
  const b = await enrollOverHttp(server.url, server.enrollmentCode, 'Tablet B');
  const seeded = await seedDeliveryDrive(batchPoster(server.url), a, b, SIGNERS);
  const driveId = a.drive.id;

  // A lead of the drive, made by the organizer over the API.
  const organizerHttp = await signInOverHttp(server.url, organizerLogin.email, organizerLogin.password);
  const made = await organizerHttp.request('POST', LEAD_API.accounts, { email: 'lee@example.org', name: 'Lee Park' });
  const { account, password: leadPassword } = (await made.json()) as { account: { id: string }; password: string };
  expect((await organizerHttp.request('PUT', LEAD_API.driveLead(driveId, account.id))).status).toBe(204);

  const browser = await launchTablet(join(work, 'office'));
  cleanups.push(() => browser.close());
  const page = browser.pages()[0] ?? (await browser.newPage());
  await page.goto(`${server.url}/lead`);
  await page.getByLabel('Email').fill(organizerLogin.email);
  await page.getByLabel('Password').fill(organizerLogin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const panel = page.getByRole('region', { name: 'Deliver' });
  await panel.waitFor({ timeout: 15_000 });

  // Privacy defaults: street and email unticked; ticking one warns that the list leaves the campaign.
  expect(await panel.getByLabel('Street address').isChecked()).toBe(false);
  expect(await panel.getByLabel('Email').isChecked()).toBe(false);
  await panel.getByLabel('Street address').check();
  await expect.poll(() => panel.getByRole('note').textContent()).toContain("leaves the campaign's hands");
  await panel.getByLabel('Street address').uncheck();

  // A wrong passphrase opens nothing: the panel says so, and no preview appears.
  await panel.getByLabel('Drive passphrase', { exact: true }).fill('not the drive passphrase');
  await panel.getByRole('button', { name: 'Preview delivery' }).click();
  await expect.poll(() => panel.getByRole('alert').textContent(), { timeout: 20_000 }).toContain('That passphrase does not open this drive');
  expect(await panel.getByTestId('delivery-count').count()).toBe(0);

  // Every exclusion before building: the voided signature and the repeat pair.
  await panel.getByLabel('Drive passphrase', { exact: true }).fill(passphrase);
  await panel.getByRole('button', { name: 'Preview delivery' }).click();
  await expect.poll(() => panel.getByTestId('delivery-count').textContent(), { timeout: 20_000 }).toMatch(new RegExp(`^${SIGNERS} signatures on \\d+ pages`));
  const voided = deliverySigner(SIGNERS + 1);
  expect(await panel.getByTestId('excluded-voided').textContent()).toContain(`${voided.givenName} ${voided.familyName}`);
  expect(await panel.getByTestId('excluded-voided').textContent()).toContain('Voided by the volunteer: 1');
  const pair = panel.getByTestId('excluded-repeat');
  expect(await pair.textContent()).toContain('Signed more than once: 1 pair');
  expect(await pair.textContent()).toContain(seeded.repeat.name);
  // Count both: one more signature delivered.
  await pair.getByRole('combobox').selectOption('both');
  await expect.poll(() => panel.getByTestId('delivery-count').textContent(), { timeout: 20_000 }).toMatch(new RegExp(`^${SIGNERS + 1} signatures`));
  await pair.getByRole('combobox').selectOption('first');
  await expect.poll(() => panel.getByTestId('delivery-count').textContent(), { timeout: 20_000 }).toMatch(new RegExp(`^${SIGNERS} signatures`));

  // Build: a real progress bar, then the download.
  await panel.getByRole('button', { name: 'Build delivery' }).click();
  const bar = panel.getByRole('progressbar');
  await bar.waitFor({ timeout: 15_000 });
  expect(await bar.evaluate((el) => el.tagName)).toBe('PROGRESS');
  await panel.getByText('Delivery built:').waitFor({ timeout: 60_000 });
  expect(await panel.getByRole('status').textContent()).toContain(`Delivery built: ${SIGNERS} signatures.`);
  const listedSha = (await panel.getByRole('status').getByTestId('package-sha256').textContent())!;
  expect(listedSha).toMatch(/^[0-9a-f]{64}$/);
  // The package rests sealed on the server: the download, too, takes the passphrase.
  const built = panel.getByRole('status');
  await built.getByLabel('Drive passphrase to download').fill(passphrase);
  const [download] = await Promise.all([page.waitForEvent('download'), built.getByRole('button', { name: /\.zip$/ }).click()]);
  const saved = join(work, 'downloaded.zip');
  await download.saveAs(saved);
  expect(createHash('sha256').update(readFileSync(saved)).digest('hex')).toBe(listedSha);
  // The past deliveries list the same SHA-256.
  expect(await panel.locator('table.deliveries').getByTestId('package-sha256').first().textContent()).toBe(listedSha);
  // The build took the passphrase with it: the field is empty again.
  expect(await panel.getByLabel('Drive passphrase', { exact: true }).inputValue()).toBe('');

  // Latest signers: sealed until the organizer types the passphrase; a wrong one shows no signer.
  const signers = page.getByRole('region', { name: 'Latest signers' });
  expect(await signers.locator('td.signer-name').count()).toBe(0);
  await signers.getByLabel('Drive passphrase', { exact: true }).fill('still not the passphrase');
  await signers.getByRole('button', { name: 'Show latest signers' }).click();
  await expect.poll(() => signers.getByRole('alert').textContent(), { timeout: 20_000 }).toContain('That passphrase does not open this drive');
  expect(await signers.getByLabel('Drive passphrase', { exact: true }).inputValue()).toBe('');
  await signers.getByLabel('Drive passphrase', { exact: true }).fill(passphrase);
  await signers.getByRole('button', { name: 'Show latest signers' }).click();
  // Newest first: the voided signer was the last to arrive.
  await expect.poll(() => signers.locator('td.signer-name').count(), { timeout: 20_000 }).toBe(100);
  expect(await signers.locator('td.signer-name').first().textContent()).toBe(`${voided.givenName} ${voided.familyName}`);
  await signers.getByRole('button', { name: 'Hide signers' }).click();
  expect(await signers.locator('td.signer-name').count()).toBe(0);
  expect(await signers.getByLabel('Drive passphrase', { exact: true }).inputValue()).toBe('');

  // The lead: no Deliver on the dashboard, and the API says 403.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in to Fieldpen' }).waitFor({ timeout: 10_000 });
  await page.getByLabel('Email').fill('lee@example.org');
  await page.getByLabel('Password').fill(leadPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#progress-title').waitFor({ timeout: 15_000 });
  expect(await page.getByRole('heading', { name: 'Deliver' }).count()).toBe(0);
  expect(await page.getByRole('heading', { name: 'Latest signers' }).count()).toBe(0);
  const refused = await page.request.get(`${server.url}${LEAD_API.deliveries(driveId)}`);
  expect(refused.status()).toBe(403);
  expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('forbidden');
}, 240_000);
