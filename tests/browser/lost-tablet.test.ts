// A lost or seized tablet betrays no signer (issue 11). Real Chromium on a persistent profile takes 20
// signatures offline — accented, Han-character and hyphenated names, distinctive streets and emails —
// then the browser is closed and every file of its profile (IndexedDB, Local Storage, Session Storage,
// Cache Storage, the origin private file system, Web Data, Sessions, everything) is read as bytes and
// searched for every given name, family name, street, email and a piece of each autograph's encoding:
// none is found after capture, after sync, or after the purge. The search proves it can find: what stays
// in clear by design (the volunteer, the signers' cities, for the counts) is found in the same files.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { deviceSignatures, drawAutograph, fillSigner, launchTablet, type SignerDetails } from '../support/browser';
import { filesUnder, scanFiles } from '../support/profile-scan';
import { startServer, type ServerProcess } from '../support/server-process';

const VOLUNTEER = 'Octavia Quillfeather';
/** Every name at least five characters (two for Han family names, four bytes in UTF-16): shorter ones match by chance in megabytes of binary files. */
const SIGNERS: SignerDetails[] = [
  {
    givenName: 'Zoë-Mathilde',
    familyName: 'Ñúñez-Åberg',
    street: '1427 Quokka Hollow Road',
    city: 'Cañon City',
    state: 'CO',
    zip: '81212',
    email: 'zoe.nunez-aberg@quokka-hollow.example',
  },
  {
    givenName: '王小明辉',
    familyName: '欧阳',
    street: '88 Xylophone Terrace',
    city: '旧金山',
    state: 'CA',
    zip: '94103',
    email: 'xiaoming.ouyang@xylophone.example',
  },
  {
    givenName: 'Jean-Luc',
    familyName: "O'Brien-Fitzgerald",
    street: "7 O'Malley's Wharf",
    city: 'Xanaduville',
    state: 'OH',
    zip: '43215',
    email: 'jl.obrien@wharfmail.example',
  },
  { givenName: 'Bjørnhild', familyName: 'Łukasiewicz', street: '31 Zephyrine Alley', city: 'Cañon City', state: 'CO', zip: '81212' },
  {
    givenName: 'Søren-Aurelio',
    familyName: 'Þórðarson',
    street: '902 Marzipan Crescent',
    city: 'Xanaduville',
    state: 'OH',
    zip: '43201',
    email: 'soren.thordarson@marzipan.example',
  },
  { givenName: '李嘉怡然', familyName: '司马', street: '16 Pangolin Parkway', city: '旧金山', state: 'CA', zip: '94110' },
  {
    givenName: 'Ågot-Linnéa',
    familyName: 'Van der Smissen',
    street: '4410 Ocelot Esplanade',
    city: 'Xanaduville',
    state: 'OH',
    zip: '43215',
    email: 'agot.vds@ocelot-esplanade.example',
  },
  { givenName: 'Eulàlia', familyName: 'Puigdomènech-Roca', street: '58 Axolotl Bend', city: 'Cañon City', state: 'CO', zip: '81212' },
  {
    givenName: 'Nguyễn Thị',
    familyName: 'Phượng-Hoàng',
    street: '77 Capybara Circle',
    city: 'Xanaduville',
    state: 'OH',
    zip: '43201',
    email: 'phuong.hoang@capybara.example',
  },
  { givenName: '陈美丽华', familyName: '诸葛', street: '203 Narwhal Narrows', city: '旧金山', state: 'CA', zip: '94103', email: 'meili.zhuge@narwhal.example' },
  { givenName: 'Mary-Kate', familyName: "D'Arcy-Wolstenholme", street: '6 Wolverine Wynd', city: 'Xanaduville', state: 'OH', zip: '43215' },
  {
    givenName: 'François-Xavier',
    familyName: 'Lefèbvre',
    street: '1190 Tamarin Trace',
    city: 'Cañon City',
    state: 'CO',
    zip: '81212',
    email: 'fx.lefebvre@tamarin.example',
  },
  { givenName: 'Dagmær', familyName: 'Øyangen-Strøm', street: '45 Kinkajou Close', city: 'Xanaduville', state: 'OH', zip: '43201' },
  {
    givenName: 'Ignacio',
    familyName: 'Çelik-Muñoz',
    street: '3 Gharial Gardens',
    city: 'Cañon City',
    state: 'CO',
    zip: '81212',
    email: 'ignacio.celik@gharial.example',
  },
  {
    givenName: '张伟国强',
    familyName: '上官',
    street: '620 Dugong Drive',
    city: '旧金山',
    state: 'CA',
    zip: '94110',
    email: 'weiguo.shangguan@dugong.example',
  },
  { givenName: 'Anne-Sophie', familyName: 'Kowalczyk-Dvořák', street: '12 Binturong Boulevard', city: 'Xanaduville', state: 'OH', zip: '43215' },
  {
    givenName: 'Ólafur',
    familyName: 'Guðmundsson',
    street: '87 Fennec Fold',
    city: 'Cañon City',
    state: 'CO',
    zip: '81212',
    email: 'olafur.gudmunds@fennec.example',
  },
  {
    givenName: 'José-María',
    familyName: 'Íñiguez',
    street: '2400 Saiga Steppe Lane',
    city: 'Xanaduville',
    state: 'OH',
    zip: '43201',
    email: 'jm.iniguez@saiga.example',
  },
  { givenName: 'Chloë-Rose', familyName: 'Brontë-Hughes', street: '9 Tapir Terrace', city: 'Cañon City', state: 'CO', zip: '81212' },
  {
    givenName: '刘思远航',
    familyName: '欧阳',
    street: '51 Echidna Embankment',
    city: '旧金山',
    state: 'CA',
    zip: '94103',
    email: 'siyuan.liu@echidna.example',
  },
];
/** What stays in clear by design: the volunteer on every record, the cities for the counts per place (one-byte, two-byte and ASCII in V8's encoding). */
const IN_CLEAR = [VOLUNTEER, 'Cañon City', '旧金山', 'Xanaduville'];

const work = mkdtempSync(join(tmpdir(), 'fieldpen-lost-tablet-'));
const dataDir = join(work, 'data');
const profile = join(work, 'profile');
let server: ServerProcess | undefined;
let tablet: BrowserContext | undefined;

afterAll(async () => {
  await tablet?.close().catch(() => {});
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** The autograph the pad holds, as the draft file has it once written (300 ms after the last stroke). */
async function draftAutograph(page: Page, givenName: string): Promise<string> {
  let autograph: string | undefined;
  await expect
    .poll(
      async () => {
        autograph = await page.evaluate(async (name) => {
          try {
            const dir = await navigator.storage.getDirectory();
            const draft = JSON.parse(await (await (await dir.getFileHandle('signer-draft.json')).getFile()).text()) as {
              fields?: { givenName?: string };
              autograph?: string;
            };
            return draft.fields?.givenName === name ? draft.autograph : undefined;
          } catch {
            return undefined;
          }
        }, givenName);
        return autograph;
      },
      { timeout: 10_000 },
    )
    .toBeTruthy();
  return autograph!;
}

async function open(url: string, ready = '#petition-title'): Promise<Page> {
  tablet = await launchTablet(profile);
  const page = tablet.pages()[0] ?? (await tablet.newPage());
  await page.goto(url);
  await page.locator(ready).first().waitFor({ timeout: 20_000 });
  return page;
}

/** Where Chromium keeps what a page stores: each must be among the files read. */
const STORES = ['IndexedDB/', 'Local Storage/', 'Session Storage/', 'Service Worker/CacheStorage/', 'File System/', 'Web Data', 'Sessions/'];

/** Close the browser (its files flushed), then read every file of the profile. */
async function closeAndScan(secrets: string[]): Promise<{ secrets: Record<string, string[]>; clear: Record<string, string[]> }> {
  await tablet!.close();
  tablet = undefined;
  const files = filesUnder(profile).map((f) => f.slice(profile.length + 1));
  for (const store of STORES)
    expect(
      files.some((f) => f.startsWith(`Default/${store}`)),
      `${store} read`,
    ).toBe(true);
  return { secrets: scanFiles(profile, secrets), clear: scanFiles(profile, IN_CLEAR) };
}

/** The search finds what is there: every clear value, in the app's IndexedDB files (V8's one- and two-byte strings). */
function expectFoundInClear(clear: Record<string, string[]>) {
  for (const value of IN_CLEAR)
    expect(
      clear[value]?.some((f) => f.includes('IndexedDB')),
      `${value} found in IndexedDB`,
    ).toBe(true);
}

describe('a lost tablet', () => {
  it('holds no signer’s name, street, email or autograph in any file of its profile: after capture, after sync, after purge', async () => {
    server = await startServer(dataDir);
    const { url, port } = server;
    tablet = await launchTablet(profile);
    let page = tablet.pages()[0] ?? (await tablet.newPage());
    await page.goto(url);
    await page.getByLabel('Enrollment code').fill(server.enrollmentCode);
    await page.getByLabel('Your name (volunteer)').fill(VOLUNTEER);
    await page.getByRole('button', { name: 'Enroll this tablet' }).click();
    await page.locator('#petition-title').waitFor({ timeout: 20_000 });
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });

    // At the doors: no network (the server is gone), 20 signers.
    await server.stop();
    await tablet.setOffline(true);
    await page.reload();
    await page.locator('#petition-title').waitFor({ timeout: 20_000 });
    const autographs: string[] = [];
    for (const [i, signer] of SIGNERS.entries()) {
      await fillSigner(page, signer);
      await drawAutograph(page, i);
      const encoded = await draftAutograph(page, signer.givenName);
      // A piece from the middle (the start is the header every autograph shares).
      autographs.push(encoded.slice(Math.floor(encoded.length / 2) - 12, Math.floor(encoded.length / 2) + 12));
      await page.getByRole('button', { name: 'Save signature' }).click();
      await page.locator('.notice', { hasText: `Saved #${i + 1}.` }).waitFor({ timeout: 15_000 });
      await page.getByRole('button', { name: 'Next signer' }).click();
    }
    expect(new Set(autographs).size).toBe(SIGNERS.length);
    const secrets = [...SIGNERS.flatMap((s) => [s.givenName, s.familyName, s.street, ...(s.email ? [s.email] : [])]), ...autographs];
    const held = await deviceSignatures(page);
    expect(held).toHaveLength(20);
    for (const row of held) {
      expect(row).toMatchObject({ state: 'pending', volunteer: VOLUNTEER, sealed: expect.stringMatching(/^[A-Za-z0-9_-]{110,}$/) });
      expect(row).not.toHaveProperty('signer');
      expect(row).not.toHaveProperty('autograph');
    }

    const afterCapture = await closeAndScan(secrets);
    expect(afterCapture.secrets).toEqual({});
    expectFoundInClear(afterCapture.clear);

    // Back in reach of the server: Sync now.
    server = await startServer(dataDir, port);
    page = await open(url);
    await page.getByRole('button', { name: 'Sync now' }).click();
    await expect.poll(() => page.getByTestId('sync-statement').textContent(), { timeout: 30_000 }).toContain('none waiting · 20 confirmed by server');
    expect((await deviceSignatures(page)).map((r) => r.state)).toEqual(Array(20).fill('confirmed'));
    const afterSync = await closeAndScan(secrets);
    expect(afterSync.secrets).toEqual({});
    expectFoundInClear(afterSync.clear);

    // The volunteer ends the shift: the confirmed signers' sealed details leave the tablet.
    page = await open(`${url}/#shift`, 'button:has-text("End shift")');
    await page.getByRole('button', { name: 'End shift' }).click();
    await page.getByRole('status').filter({ hasText: 'Shift ended.' }).waitFor({ timeout: 15_000 });
    const purged = await deviceSignatures(page);
    expect(purged.map((r) => r.state)).toEqual(Array(20).fill('purged'));
    for (const row of purged) {
      expect(row).not.toHaveProperty('sealed');
      expect(row).not.toHaveProperty('signerKey');
      expect(row).toMatchObject({ seq: expect.any(Number), digest: expect.stringMatching(/^[0-9a-f]{64}$/), volunteer: VOLUNTEER });
    }
    const afterPurge = await closeAndScan(secrets);
    expect(afterPurge.secrets).toEqual({});
    expectFoundInClear(afterPurge.clear);
  }, 300_000);
});
