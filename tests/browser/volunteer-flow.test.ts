// The volunteer's flow at the door, in real Chromium against the real server: checks at the door,
// the autograph pad, two taps between signers, languages, today's list with void, the shift.
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAutograph } from '../../src/shared/autograph-codec';
import { deviceSignatures, drawAutograph, fillSigner, openedSignatures, type SignerDetails } from '../support/browser';
import { drawDot, enrolledTablet, setRoster, type EnrolledTablet } from '../support/volunteer';

const ROSA: SignerDetails = { givenName: 'Rosa', familyName: 'Delgado', street: '12 Oak Avenue', city: 'Columbus', state: 'OH', zip: '43215' };

let t: EnrolledTablet;
beforeAll(async () => {
  t = await enrolledTablet('Sam Rivera');
});
afterAll(async () => {
  await t?.close();
});

/** The tablet's rows in order, their sealed details opened with the drive's key (what the organizer's unlock reads). */
const bySeq = async () => (await openedSignatures(t.page, await t.driveKey())).sort((a, b) => Number(a.seq) - Number(b.seq));

describe('the signer form at the door', () => {
  it('gives every field a keyboard that fits, and keeps every field out of the browser’s form history', async () => {
    const fields = await t.page
      .locator('form.signer input:not([type=checkbox]), form.signer select')
      .evaluateAll((els) => els.map((e) => ({ id: e.id, autocomplete: e.getAttribute('autocomplete'), inputmode: e.getAttribute('inputmode') })));
    expect(fields.map((f) => f.id)).toEqual(['givenName', 'familyName', 'street', 'city', 'state', 'zip', 'email']);
    // Autofill would offer one signer's details to the next (tests/browser/signer-privacy.test.ts).
    for (const f of fields) expect(f.autocomplete, f.id).toBe('off');
    expect(await t.page.locator('form.signer').getAttribute('autocomplete')).toBe('off');
    for (const f of fields.filter((f) => f.id !== 'state')) expect(f.inputmode, f.id).toBeTruthy();
    expect(fields.find((f) => f.id === 'zip')?.inputmode).toBe('numeric');
    expect(fields.find((f) => f.id === 'email')?.inputmode).toBe('email');
  });

  it('refuses a ZIP code of another state and a malformed email, says so on the field, and saves nothing', async () => {
    const { page } = t;
    await fillSigner(page, { ...ROSA, state: 'CA', email: 'rosa@' });
    await drawAutograph(page);
    await page.getByRole('button', { name: 'Save signature' }).click();
    await expect.poll(() => page.locator('#zip-error').textContent()).toBe('This ZIP code is not in the chosen state. Check both.');
    expect(await page.locator('#email-error').textContent()).toContain('Enter an email like name@example.org');
    expect(await page.locator('.notice').textContent()).toBe('2 fields need attention.');
    expect(await page.getByLabel('ZIP code').getAttribute('aria-invalid')).toBe('true');
    expect(await deviceSignatures(page)).toHaveLength(0);
  });

  it('refuses a dot as an autograph, and undo takes back the last stroke', async () => {
    const { page } = t;
    await page.getByLabel('State').selectOption('OH');
    await page.getByLabel('Email (optional)').fill('');
    await page.getByRole('button', { name: 'Clear' }).click();
    await drawDot(page);
    await page.getByRole('button', { name: 'Save signature' }).click();
    await expect.poll(() => page.locator('#autograph-error').textContent()).toBe('That is too short to be a signature: sign your full signature in the box.');
    expect(await deviceSignatures(page)).toHaveLength(0);

    await page.getByRole('button', { name: 'Clear' }).click();
    await drawAutograph(page, 1); // three strokes
    await drawDot(page);
    await page.getByRole('button', { name: 'Undo stroke' }).click();
    await page.getByRole('button', { name: 'Save signature' }).click();
    await expect.poll(() => page.locator('.notice').textContent()).toBe('Saved #1. Ready for the next signer.');
    const [first] = await bySeq();
    expect(decodeAutograph(String(first!.autograph)).strokes).toHaveLength(3);
  });

  it('goes from "Saved" to the next signer in one more tap, with the form empty and the petition in front', async () => {
    const { page } = t;
    expect(await page.locator('.done__thanks').textContent()).toBe('Thank you for signing!');
    // The volunteer's tap #2 is already focused: Enter (or a tap) takes it.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('next-signer');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('petition-title');
    expect(await page.locator('#next-signer').count()).toBe(0);
    for (const label of ['Given name', 'Family name', 'Street address', 'City', 'ZIP code']) expect(await page.getByLabel(label).inputValue(), label).toBe('');
  });

  it('draws a pen pressed hard wider than a light touch, and keeps the pressure through a redraw', async () => {
    const { page } = t;
    const pad = page.locator('canvas.autograph__pad');
    const light = await penStroke(page, 0.15);
    await page.getByRole('button', { name: 'Clear' }).click();
    const hard = await penStroke(page, 0.95);
    expect(hard).toBeGreaterThan(light * 1.5);
    // Turning the tablet redraws from the stored strokes, their pressure included.
    await page.setViewportSize({ width: 768, height: 1024 });
    await expect.poll(() => pad.evaluate((c: HTMLCanvasElement) => c.getBoundingClientRect().width)).toBeLessThan(760);
    await page.setViewportSize({ width: 1024, height: 768 });
    await expect.poll(() => inkOf(page), { timeout: 5000 }).toBeGreaterThan(light * 1.5);
    await page.getByRole('button', { name: 'Clear' }).click();
  });

  it('warns, without blocking, when the same name and address already signed on this tablet', async () => {
    const { page } = t;
    await fillSigner(page, { ...ROSA, givenName: 'rosa', street: '12  Oak Avenue' });
    await page.getByLabel('City').focus(); // leaving the ZIP field runs the lookup
    await page.getByLabel('ZIP code').focus();
    await page.getByLabel('Email (optional)').focus();
    await expect.poll(() => page.getByTestId('same-signer').textContent()).toContain('already signed on this tablet (#1');
    await drawAutograph(page, 2);
    await page.getByRole('button', { name: 'Save signature' }).click();
    await expect.poll(() => page.locator('.notice').textContent()).toBe('Saved #2. Ready for the next signer.');
    expect(await page.getByTestId('same-signer').count()).toBe(0);
  });

  it('keeps every stroke when the tablet turns, and draws them again', async () => {
    const { page } = t;
    await page.getByRole('button', { name: 'Next signer' }).click();
    await fillSigner(page, { ...ROSA, givenName: 'Wei', familyName: 'Chen' });
    await drawAutograph(page, 0); // two strokes
    await page.setViewportSize({ width: 768, height: 1024 });
    await expect.poll(() => page.locator('canvas.autograph__pad').evaluate((c: HTMLCanvasElement) => c.width)).toBeGreaterThan(0);
    const inked = await page.locator('canvas.autograph__pad').evaluate((c: HTMLCanvasElement) => {
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
      return n;
    });
    expect(inked).toBeGreaterThan(100);
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.getByRole('button', { name: 'Save signature' }).click();
    await expect.poll(() => page.locator('.notice').textContent()).toBe('Saved #3. Ready for the next signer.');
    const third = (await bySeq())[2]!;
    expect(decodeAutograph(String(third.autograph)).strokes).toHaveLength(2);
  });

  it('takes a signature with assistance only with the volunteer’s attestation, and records who attested', async () => {
    const { page } = t;
    await page.getByRole('button', { name: 'Next signer' }).click();
    await fillSigner(page, { ...ROSA, givenName: 'Marcus', familyName: "O'Neil" });
    await page.getByLabel('Signed with assistance').check();
    await drawDot(page); // the signer's mark
    await page.getByRole('button', { name: 'Save signature' }).click();
    await expect.poll(() => page.locator('#attestation-error').textContent()).toBe('The volunteer must confirm they helped this signer.');
    expect(await deviceSignatures(page)).toHaveLength(3);
    await page.getByLabel('I, Sam Rivera, helped this signer').check();
    await page.getByRole('button', { name: 'Save signature' }).click();
    await expect.poll(() => page.locator('.notice').textContent()).toBe('Saved #4. Ready for the next signer.');
    expect((await bySeq())[3]).toMatchObject({ assisted: { attestedBy: 'Sam Rivera' }, volunteer: 'Sam Rivera' });
    // Saved: the thanks take the assistance box's place; the next signer finds it unticked.
    expect(await page.getByLabel('Signed with assistance').count()).toBe(0);
    await page.getByRole('button', { name: 'Next signer' }).click();
    expect(await page.getByLabel('Signed with assistance').isChecked()).toBe(false);
  });
});

describe('the signer’s language', () => {
  it('switches the petition, labels, errors and thank-you to Spanish and records the language', async () => {
    const { page } = t;
    await page.getByRole('button', { name: 'Español' }).click();
    await expect.poll(() => page.locator('label[for=givenName]').textContent()).toBe('Nombre');
    expect(await page.locator('main').getAttribute('lang')).toBe('es');
    expect(await page.locator('#petition-title').textContent()).toBe('Cruces peatonales seguros para todas las escuelas');
    await page.getByRole('button', { name: 'Guardar firma' }).click();
    await expect.poll(() => page.locator('#state-error').textContent()).toBe('Elija el estado.');
    await page.getByLabel('Nombre').fill('Lucía');
    await page.getByLabel('Apellido').fill('Fernández');
    await page.getByLabel('Dirección').fill('40 Elm Street');
    await page.getByLabel('Ciudad').fill('Columbus');
    await page.locator('#state').selectOption('OH');
    await page.getByLabel('Código postal (ZIP)').fill('43215');
    await drawAutograph(page, 3);
    await page.getByRole('button', { name: 'Guardar firma' }).click();
    await expect.poll(() => page.locator('.notice').textContent()).toBe('Guardada n.º 5. Listo para la siguiente persona.');
    expect(await page.locator('.done__thanks').textContent()).toBe('¡Gracias por firmar!');
    expect((await bySeq())[4]).toMatchObject({ petition: { language: 'es' } });
  });

  it('offers Simplified Chinese too', async () => {
    const { page } = t;
    await page.getByRole('button', { name: 'Siguiente persona' }).click();
    await page.getByRole('button', { name: '简体中文' }).click();
    await expect.poll(() => page.locator('label[for=givenName]').textContent()).toBe('名');
    expect(await page.getByRole('button', { name: '保存签名' }).count()).toBe(1);
    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => page.locator('label[for=givenName]').textContent()).toBe('Given name');
  });
});

describe("the volunteer's day", () => {
  it("lists today's signatures with initials and city — never a name — and voids one with a reason, keeping its number", async () => {
    const { page } = t;
    await page.getByRole('link', { name: 'Today' }).click();
    await expect.poll(() => page.getByTestId('today-summary').textContent()).toBe('5 signatures today');
    const rows = await page.getByTestId('today-entry').allTextContents();
    expect(rows[0]).toContain('#5');
    expect(rows[0]).toContain('L. F., Columbus');
    expect(rows.join(' ')).not.toContain('Lucía');
    // Waiting, or already confirmed if the sync that follows each save has run.
    expect(rows[0]).toMatch(/Waiting|Confirmed/);
    expect(rows.join(' ')).not.toContain('Delgado');

    await page.getByRole('button', { name: 'Void #2' }).click();
    await page.getByRole('button', { name: 'Void signature #2' }).click();
    await expect.poll(() => page.locator('#void-reason-2-error').textContent()).toContain('Give a reason');
    await page.getByLabel('Reason for voiding').fill('Signed twice');
    await page.getByRole('button', { name: 'Void signature #2' }).click();
    await expect.poll(() => page.getByTestId('today-summary').textContent()).toBe('5 signatures today (1 voided)');
    const second = (await bySeq())[1]!;
    expect(second).toMatchObject({ seq: 2, state: 'voided', void: { reason: 'Signed twice' } });
    // What the tablet keeps of it in clear: no signer, only the sealed details, initials and place.
    const kept = (await deviceSignatures(page)).find((r) => r.seq === 2)!;
    expect(Object.keys(kept)).not.toContain('signer');
    expect(Object.keys(kept)).not.toContain('autograph');
    expect(kept).toMatchObject({ initials: expect.stringMatching(/^\S\. \S\.$/), place: { city: 'Columbus', state: 'OH' }, sealed: expect.any(String) });
    expect(await page.getByTestId('today-entry').nth(3).textContent()).toContain('Signed twice');
  });

  it('shows whether storage is protected, the storage estimate, and warns when the app is not installed', async () => {
    const { page } = t;
    await page.getByRole('link', { name: 'Device' }).click();
    await expect.poll(() => page.getByTestId('storage-estimate').textContent()).toMatch(/\d.* of \d/);
    const persisted = await page.evaluate(() => navigator.storage.persisted());
    expect(await page.getByTestId('persisted').textContent()).toBe(persisted ? 'Protected: the browser will not clear it to save space.' : 'Not protected');
    expect(await page.getByTestId('warn-not-persisted').count()).toBe(persisted ? 0 : 1);
    expect(await page.getByTestId('installed').textContent()).toBe('No');
    expect(await page.getByTestId('warn-not-installed').textContent()).toContain('7 days');
    // The server's receipt for this tablet, as the last sync brought it: the lead reads the same code.
    await page.getByRole('button', { name: 'Sync now' }).click();
    await expect
      .poll(() => page.getByTestId('receipt').textContent())
      .toMatch(/^(\d+) of \1 confirmed by the server · receipt [0-9A-F]{4}-[0-9A-F]{4} · complete$/);
  });

  it('starts a shift with a name from the drive’s roster or a new one, and every signature carries it', async () => {
    const { page } = t;
    await setRoster(page, ['Ana Ruiz', 'Sam Rivera']);
    await page.goto(`${t.server.url}/#shift`);
    await page.reload(); // the app reads the drive at start
    await page.getByLabel('Ana Ruiz').check();
    await page.getByRole('button', { name: 'Start collecting' }).click();
    await expect.poll(() => page.locator('.volunteer').textContent()).toContain('Volunteer: Ana Ruiz');
    await fillSigner(page, { ...ROSA, givenName: 'Tom', familyName: 'Baker', street: '3 Pine Road' });
    await drawAutograph(page, 1);
    await page.getByRole('button', { name: 'Save signature' }).click();
    await expect.poll(() => page.locator('.notice').textContent()).toMatch(/^Saved #\d+\. Ready for the next signer\.$/);
    expect((await bySeq()).at(-1)).toMatchObject({ volunteer: 'Ana Ruiz', signer: { givenName: 'Tom' } });

    await page.getByRole('link', { name: /Change/ }).click();
    await page.getByLabel('Someone else').check();
    await page.getByRole('button', { name: 'Start collecting' }).click();
    await expect.poll(() => page.locator('#shift-name-error').textContent()).toContain('Pick your name or type it');
    await page.getByLabel('Your name').fill('Jo Park');
    await page.getByRole('button', { name: 'Start collecting' }).click();
    await expect.poll(() => page.locator('.volunteer').textContent()).toContain('Volunteer: Jo Park');
  });
});

describe("the drive's changes", () => {
  /** What an organizer's edit does to the drive, written straight into the running server's database. */
  const requireFields = (fields: string[] | null) => {
    const db = new BetterSqlite3(join(t.dataDir, 'fieldpen.sqlite'));
    try {
      db.prepare('update drives set required_fields = ?').run(fields && JSON.stringify(fields));
    } finally {
      db.close();
    }
  };
  const storedDrive = () =>
    t.page.evaluate(`new Promise((resolve) => {
      const open = indexedDB.open('fieldpen-settings');
      open.onsuccess = () => {
        const get = open.result.transaction('settings').objectStore('settings').get('drive');
        get.onsuccess = () => { resolve(get.result); open.result.close(); };
      };
    })`) as Promise<{ requiredFields?: string[] }>;

  it('reach the tablet on "Sync now", and show only once the signer in front of it has saved', async () => {
    const { page } = t;
    await page.getByRole('link', { name: 'Sign' }).click();
    await fillSigner(page, { ...ROSA, givenName: 'Lena', familyName: 'Ortiz', street: '7 Elm Street' });
    requireFields(['email']);
    await page.getByRole('button', { name: 'Sync now' }).click();
    await expect.poll(async () => (await storedDrive()).requiredFields, { timeout: 15_000 }).toEqual(['email']);
    // Mid-form, the signer keeps the form they started: email still optional.
    expect(await page.getByLabel('Email (optional)').count()).toBe(1);
    await drawAutograph(page, 0);
    await page.getByRole('button', { name: 'Save signature' }).click();
    await expect.poll(() => page.locator('.notice').textContent()).toMatch(/^Saved #\d+\. Ready for the next signer\.$/);

    // The next signer meets the drive as it is now.
    await expect.poll(() => page.getByLabel('Email', { exact: true }).count()).toBe(1);
    await page.getByRole('button', { name: 'Next signer' }).click();
    await fillSigner(page, { ...ROSA, givenName: 'Ivan', familyName: 'Petrov', street: '9 Elm Street' });
    await drawAutograph(page, 1);
    await page.getByRole('button', { name: 'Save signature' }).click();
    await expect.poll(() => page.locator('#email-error').textContent()).toBe('Enter the email.');
    await page.getByLabel('Email', { exact: true }).fill('ivan@example.org');
    await page.getByRole('button', { name: 'Save signature' }).click();
    await expect.poll(() => page.locator('.notice').textContent()).toMatch(/^Saved #\d+\. Ready for the next signer\.$/);
    expect((await bySeq()).at(-1)).toMatchObject({ signer: { givenName: 'Ivan', email: 'ivan@example.org' } });

    requireFields(null);
    await page.getByRole('button', { name: 'Sync now' }).click();
    await expect.poll(() => page.getByLabel('Email (optional)').count(), { timeout: 15_000 }).toBe(1);
  });
});

describe('with no network', () => {
  it('says Offline once the server cannot be reached, though the browser still reports a network, and says what waits', async () => {
    const { page } = t;
    await page.goto(t.server.url);
    await page.locator('#petition-title').waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Sync now' }).click();
    await expect.poll(() => page.getByTestId('server-state').textContent(), { timeout: 15_000 }).toBe('Online');
    const serverBack = await t.serverDown();
    try {
      // Nothing told the browser: navigator.onLine stays true, and only a sync finds the server gone.
      expect(await page.evaluate(() => navigator.onLine)).toBe(true);
      await page.getByRole('button', { name: 'Sync now' }).click();
      await expect.poll(() => page.getByTestId('server-state').textContent(), { timeout: 15_000 }).toBe('Offline');
      await fillSigner(page, { ...ROSA, givenName: 'Omar', familyName: 'Haddad', street: '21 Cedar Street' });
      await drawAutograph(page, 2);
      await page.getByRole('button', { name: 'Save signature' }).click();
      await expect.poll(() => page.locator('.notice').textContent()).toMatch(/^Saved #\d+\. Ready for the next signer\.$/);
      // One statement: what is safe on the tablet, what waits, the server's last receipt; one
      // "confirmed" figure, and no "Online" beside a line saying there is no connection.
      await expect
        .poll(() => page.getByTestId('sync-statement').textContent(), { timeout: 15_000 })
        .toMatch(/^\d+ saved on this tablet · 1 waiting to send · \d+ confirmed by server · receipt [0-9A-F]{4}-[0-9A-F]{4}$/);
      const bar = (await page.locator('header.status').textContent()) ?? '';
      expect(bar.match(/confirmed/g)).toHaveLength(1);
      expect(bar).not.toContain('Online');
    } finally {
      await serverBack();
    }
    await page.getByRole('button', { name: 'Sync now' }).click();
    await expect.poll(() => page.getByTestId('server-state').textContent(), { timeout: 15_000 }).toBe('Online');
    await expect.poll(() => page.getByTestId('sync-statement').textContent(), { timeout: 15_000 }).toContain('none waiting');
  });

  it("opens today's list, the tablet's status and the Spanish form from the service worker's cache, the server gone", async () => {
    const { page } = t;
    const url = t.server.url;
    const serverBack = await t.serverDown();
    try {
      await page.goto(`${url}/#today`);
      await page.reload(); // a new page load: a hash change alone would keep the page that is open
      await expect.poll(() => page.getByTestId('today-summary').textContent(), { timeout: 15_000 }).toMatch(/signatures today/);
      // Its start-up sync found no server.
      await expect.poll(() => page.getByTestId('server-state').textContent(), { timeout: 15_000 }).toBe('Offline');
      await page.getByRole('link', { name: 'Device' }).click();
      await expect.poll(() => page.getByTestId('storage-estimate').textContent()).toMatch(/ of /);
      await page.getByRole('link', { name: 'Sign' }).click();
      await page.getByRole('button', { name: 'Español' }).click();
      await expect.poll(() => page.locator('label[for=givenName]').textContent()).toBe('Nombre');
      await page.getByRole('button', { name: 'English' }).click();
    } finally {
      await serverBack();
    }
  });
});

describe('opening the app', () => {
  it('opens from the boot copy, which holds no token, and IndexedDB corrects a copy that disagrees with it', async () => {
    const { page, server } = t;
    await page.goto(server.url);
    await page.locator('#givenName').waitFor({ timeout: 15_000 });
    const copy = JSON.parse((await page.evaluate(() => localStorage.getItem('fieldpen-boot'))) ?? '{}');
    expect(copy).toMatchObject({ volunteer: expect.any(String), enrollment: { deviceId: expect.any(String) }, drive: { petitions: expect.any(Array) } });
    expect(copy.enrollment.token).toBeUndefined();
    const volunteer: string = copy.volunteer;
    await expect.poll(() => page.getByText(`Volunteer: ${volunteer}`).count()).toBe(1);

    // A copy out of step with the record (written by hand here): the record wins, and the copy is mended.
    await page.evaluate(() =>
      localStorage.setItem('fieldpen-boot', JSON.stringify({ ...JSON.parse(localStorage.getItem('fieldpen-boot')!), volunteer: 'Nobody Here' })),
    );
    await page.reload();
    await expect.poll(() => page.getByText(`Volunteer: ${volunteer}`).count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => page.evaluate(() => JSON.parse(localStorage.getItem('fieldpen-boot')!).volunteer)).toBe(volunteer);

    // No copy at all (a tablet updated from a version that kept none): the app opens from IndexedDB and writes one.
    await page.evaluate(() => localStorage.removeItem('fieldpen-boot'));
    await page.reload();
    await page.locator('#givenName').waitFor({ timeout: 15_000 });
    await expect.poll(() => page.evaluate(() => JSON.parse(localStorage.getItem('fieldpen-boot') ?? '{}').volunteer)).toBe(volunteer);
  });
});

describe('the screens on a tablet and on a phone', () => {
  for (const viewport of [
    { width: 1024, height: 768 },
    { width: 768, height: 1024 },
    { width: 390, height: 844 },
  ]) {
    it(`has targets of at least 44 px and nothing wider than the screen at ${viewport.width}×${viewport.height}`, async () => {
      const { page } = t;
      await page.setViewportSize(viewport);
      for (const hash of ['', '#today', '#device']) {
        await page.goto(`${t.server.url}/${hash}`);
        await page.locator('main h1').first().waitFor();
        const small = await page.locator('main button, main input, main select, main a, header button, header a').evaluateAll((els) =>
          els
            .map((e) => {
              const target = e instanceof HTMLInputElement && (e.type === 'checkbox' || e.type === 'radio') ? (e.closest('label') ?? e) : e;
              const r = target.getBoundingClientRect();
              return { what: `${e.tagName} ${e.id || e.textContent}`, w: r.width, h: r.height };
            })
            .filter((r) => r.w > 0 && (r.w < 44 || r.h < 44)),
        );
        expect(small, hash || 'signer form').toEqual([]);
        expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), hash).toBe(true);
      }
    });
  }
});

describe('the signer form on a tablet', () => {
  for (const viewport of [
    { width: 1024, height: 768 },
    { width: 768, height: 1024 },
  ]) {
    it(`fits the filled form, the autograph pad and Save at ${viewport.width}×${viewport.height} with no scrolling; the petition scrolls in its card`, async () => {
      const { page } = t;
      await page.setViewportSize(viewport);
      await page.goto(t.server.url);
      await page.locator('#petition-title').waitFor({ timeout: 15_000 });
      await fillSigner(page, {
        givenName: 'Nadia',
        familyName: 'Karimi',
        street: '4 Ash Court',
        city: 'Columbus',
        state: 'OH',
        zip: '43215',
        email: 'nadia@example.org',
      });
      await drawAutograph(page, 1);
      await page.evaluate(() => window.scrollTo(0, 0));
      const inView = async (selector: string) => {
        const box = (await page.locator(selector).first().boundingBox())!;
        return box.y >= 0 && box.x >= 0 && box.y + box.height <= viewport.height && box.x + box.width <= viewport.width;
      };
      expect(await inView('form.signer button[type=submit]'), 'Save signature').toBe(true);
      expect(await inView('canvas.autograph__pad'), 'autograph pad').toBe(true);
      expect(await inView('#givenName'), 'first field').toBe(true);
      expect(await page.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight)).toBe(true);
      // The petition stays readable: its title and several lines of text in view, the rest a scroll within the card.
      expect(await inView('#petition-title'), 'petition title').toBe(true);
      const card = (await page.locator('section.petition').boundingBox())!;
      expect(card.height).toBeGreaterThanOrEqual(140);
      expect(await page.locator('section.petition').evaluate((e) => getComputedStyle(e).overflowY)).toBe('auto');
      // The status bar: two rows at most.
      expect((await page.locator('header.status').boundingBox())!.height).toBeLessThanOrEqual(120);

      await page.getByRole('button', { name: 'Clear' }).click();
      for (const label of ['Given name', 'Family name', 'Street address', 'City', 'ZIP code', 'Email (optional)']) await page.getByLabel(label).fill('');
      await page.getByLabel('State').selectOption('');
      await page.setViewportSize({ width: 1024, height: 768 });
    });
  }
});

/** Pixels with ink on the autograph pad. */
function inkOf(page: Page): Promise<number> {
  return page.locator('canvas.autograph__pad').evaluate((c: HTMLCanvasElement) => {
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
    return n;
  });
}

/**
 * One stroke as a pen draws it, every point at `pressure`, at 60 Hz; returns the ink on the pad after.
 * Written as a string: tsx would wrap a function in helpers the page does not have.
 */
async function penStroke(page: Page, pressure: number): Promise<number> {
  await page.evaluate(`(async (pressure) => {
    const pad = document.querySelector('canvas.autograph__pad');
    const box = pad.getBoundingClientRect();
    const at = (i) => ({ clientX: box.left + box.width * (0.15 + 0.03 * i), clientY: box.top + box.height * (0.5 + 0.2 * Math.sin(i / 3)) });
    const pen = { pointerId: 7, pointerType: 'pen', isPrimary: true, pressure, bubbles: true, cancelable: true };
    pad.dispatchEvent(new PointerEvent('pointerdown', { ...pen, ...at(0), buttons: 1, button: 0 }));
    for (let i = 1; i <= 24; i++) {
      await new Promise((r) => setTimeout(r, 17));
      pad.dispatchEvent(new PointerEvent('pointermove', { ...pen, ...at(i), buttons: 1, button: -1 }));
    }
    pad.dispatchEvent(new PointerEvent('pointerup', { ...pen, ...at(24), buttons: 0, button: 0, pressure: 0 }));
  })(${pressure})`);
  return inkOf(page);
}
