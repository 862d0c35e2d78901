// A signer's details live nowhere in the browser profile in clear but the draft of the signer at the
// door (one file in the origin private file system, src/storage/draft.ts): saved signatures are sealed
// in IndexedDB, and Chromium's form history (`Web Data`, table `autofill`: what it offers as suggestions
// to the next signer) and its session-restore files (`Sessions/*`: form state) hold none of them, after
// saves, a reload with a half-filled form, a browser killed with SIGKILL and a clean shutdown.
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { drawAutograph, fillSigner, launchKillableTablet, type KillableTablet, type SignerDetails } from '../support/browser';
import { filesUnder, scanFiles, valuesInFile } from '../support/profile-scan';
import { startServer, type ServerProcess } from '../support/server-process';
import { enrolledTablet, type EnrolledTablet } from '../support/volunteer';

const SIGNERS: SignerDetails[] = [
  { givenName: 'Zebulon', familyName: 'Quixotera', street: '77 Wombat Lane', city: 'Xanaduville', state: 'OH', zip: '43215', email: 'zeb.quix@example.org' },
  { givenName: 'Philippa', familyName: 'Vandersloot', street: '3 Marmoset Court', city: 'Yarrowby', state: 'OH', zip: '43201' },
];
/** Left half-filled in the form when the page reloads and the browser is killed. */
const HALF: SignerDetails = { givenName: 'Hermengild', familyName: 'Pottersby', street: '9 Ocelot Row', city: 'Quillhaven', state: 'OH', zip: '45402' };
/** What Save seals: the saved signers' names, streets and emails (their cities stay in clear, for the counts). */
const SAVED = SIGNERS.flatMap((s) => [s.givenName, s.familyName, s.street, ...(s.email ? [s.email] : [])]);
const AT_THE_DOOR = [HALF.givenName, HALF.familyName, HALF.street, HALF.city];
const VALUES = [...SAVED, ...AT_THE_DOOR, ...SIGNERS.map((s) => s.city)];

const work = mkdtempSync(join(tmpdir(), 'fieldpen-privacy-'));
const profile = join(work, 'profile');
let server: ServerProcess | undefined;
let tablet: KillableTablet | undefined;

let enrolled: EnrolledTablet | undefined;

afterAll(async () => {
  await enrolled?.close();
  await tablet?.kill().catch(() => {});
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

const valuesIn = (file: string) => valuesInFile(file, VALUES);

describe("a signer's details in the browser profile", () => {
  it('stay out of form history and session restore, through saves, a reload, a killed browser and a clean shutdown', async () => {
    server = await startServer(join(work, 'data'));
    tablet = await launchKillableTablet(profile);
    let { page } = tablet;
    await page.goto(server.url);
    await page.getByLabel('Enrollment code').fill(server.enrollmentCode);
    await page.getByLabel('Your name (volunteer)').fill('Sam Rivera');
    await page.getByRole('button', { name: 'Enroll this tablet' }).click();
    await page.locator('#petition-title').waitFor({ timeout: 20_000 });

    for (const [i, signer] of SIGNERS.entries()) {
      await fillSigner(page, signer);
      await drawAutograph(page, i);
      await page.getByRole('button', { name: 'Save signature' }).click();
      await page.locator('.notice', { hasText: `Saved #${i + 1}.` }).waitFor({ timeout: 10_000 });
      await page.getByRole('button', { name: 'Next signer' }).click();
    }
    // A signer half-way through: the reload brings the form back from the app's draft (a file in OPFS).
    await fillSigner(page, HALF);
    await page.waitForTimeout(1_000); // the draft is written 300 ms after the last key
    await page.reload();
    await expect.poll(() => page.getByLabel('Given name').inputValue(), { timeout: 15_000 }).toBe(HALF.givenName);
    // Chromium writes its session file every few seconds: give it the time to write the form's state.
    await page.waitForTimeout(4_000);
    await tablet.kill();

    // Back after the crash, and shut down cleanly: Chromium writes its session and form history on the way out.
    tablet = await launchKillableTablet(profile);
    page = tablet.page;
    await page.goto(server.url);
    await expect.poll(() => page.getByLabel('Given name').inputValue(), { timeout: 30_000 }).toBe(HALF.givenName);
    await page.waitForTimeout(4_000);
    const cdp = await tablet.browser.newBrowserCDPSession();
    await cdp.send('Browser.close').catch(() => {}); // the connection closes with the browser
    await tablet.kill().catch(() => {}); // already gone: reaps the process group
    tablet = undefined;

    const files = filesUnder(join(profile, 'Default'));
    // Saved signers are sealed: found nowhere in the profile. The signer at the door is in the draft
    // file, and only there (the search finds what it looks for).
    const found = scanFiles(profile, [...SAVED, ...AT_THE_DOOR]);
    for (const value of SAVED) expect(found[value], value).toBeUndefined();
    for (const value of AT_THE_DOOR) {
      expect(found[value]?.length, value).toBeGreaterThan(0);
      for (const file of found[value]!) expect(file, value).toMatch(/^Default\/File System\//);
    }
    // The saved signers' cities stay in clear in IndexedDB, for the counts per place.
    const inIndexedDb = new Set(files.filter((f) => f.includes('/IndexedDB/')).flatMap(valuesIn));
    expect([...inIndexedDb].sort()).toEqual([...new Set(SIGNERS.map((s) => s.city))].sort());

    const sessions = files.filter((f) => f.includes('/Sessions/'));
    expect(sessions.length).toBeGreaterThan(0);
    expect(Object.fromEntries(sessions.map((f) => [f, valuesIn(f)]))).toEqual(Object.fromEntries(sessions.map((f) => [f, []])));

    const webData = join(profile, 'Default', 'Web Data');
    expect(existsSync(webData)).toBe(true);
    expect(valuesIn(webData)).toEqual([]);
    // The form history itself: no entry for any field of the signer form, whatever its value.
    copyFileSync(webData, join(work, 'web-data.sqlite'));
    const db = new Database(join(work, 'web-data.sqlite'), { readonly: true });
    try {
      const history = db.prepare('select name, value from autofill').all() as { name: string; value: string }[];
      expect(history.filter((h) => ['givenName', 'familyName', 'street', 'city', 'state', 'zip', 'email'].includes(h.name))).toEqual([]);
      // Chromium did write form history here: the volunteer's name, typed on the enrollment screen, is in it.
      expect(history.map((h) => h.value)).toContain('Sam Rivera');
      const profiles = db.prepare("select name from sqlite_master where type = 'table' and name in ('addresses', 'autofill_profiles')").all() as {
        name: string;
      }[];
      for (const { name } of profiles) expect(db.prepare(`select count(*) as n from ${name}`).get(), name).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  }, 120_000);
});

/** The draft file's fields, or undefined when there is no draft (read as the app reads it). */
const draftFields = (page: import('playwright-core').Page) =>
  page.evaluate(async () => {
    try {
      const dir = await navigator.storage.getDirectory();
      const text = await (await (await dir.getFileHandle('signer-draft.json')).getFile()).text();
      return (JSON.parse(text) as { fields?: Record<string, string> }).fields;
    } catch {
      return undefined;
    }
  });

describe('the signer at the door, kept as a draft', () => {
  it('is gone 30 minutes after the last change: the draft file deleted and the form emptied while the app stays open', async () => {
    enrolled = await enrolledTablet();
    const { page } = enrolled;
    await page.clock.install();
    await page.reload();
    await page.locator('#petition-title').waitFor({ timeout: 20_000 });
    await fillSigner(page, HALF);
    // The last field written: no write is still waiting to restart the draft's 30 minutes later on.
    await expect.poll(async () => (await draftFields(page))?.zip, { timeout: 10_000 }).toBe(HALF.zip);

    await page.clock.fastForward('29:00');
    await page.waitForTimeout(500);
    expect((await draftFields(page))?.givenName).toBe(HALF.givenName);
    expect(await page.getByLabel('Given name').inputValue()).toBe(HALF.givenName);

    await page.clock.fastForward('02:00');
    await expect.poll(() => page.getByLabel('Given name').inputValue(), { timeout: 10_000 }).toBe('');
    expect(await page.getByLabel('Street address').inputValue()).toBe('');
    expect(await draftFields(page)).toBeUndefined();
    // And nothing comes back with a reload.
    await page.reload();
    await page.locator('#petition-title').waitFor({ timeout: 20_000 });
    await page.waitForTimeout(1_000);
    expect(await page.getByLabel('Given name').inputValue()).toBe('');
  }, 60_000);
});
