// Debian's Chromium through playwright-core, with a persistent profile so that a test can close
// the browser and open it again on the same tablet storage.
import { spawn, type ChildProcess } from 'node:child_process';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

import { CHROMIUM } from '../ensure-chromium.mjs';
import { openSignerDetails } from '../../src/shared/signer-seal';

export { CHROMIUM };

/** What every test browser runs with: headless, no sandbox, and nothing that phones home or updates itself. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchTablet(profileDir: string, options: { offline?: boolean } = {}): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    offline: options.offline ?? false,
    viewport: { width: 1024, height: 768 },
    args: CHROMIUM_ARGS,
  });
}

export interface KillableTablet {
  browser: Browser;
  page: Page;
  /** SIGKILL the whole browser process group: a crash, nothing flushed on the way out. */
  kill(): Promise<void>;
}

/** Chromium started by hand (not by playwright) so the test holds its process and can kill it. */
export async function launchKillableTablet(profile: string): Promise<KillableTablet> {
  const child: ChildProcess = spawn(
    CHROMIUM,
    [...CHROMIUM_ARGS, '--window-size=1024,768', `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'],
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const endpoint = await new Promise<string>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`Chromium did not start:\n${err}`)), 30_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
  const browser = await chromium.connectOverCDP(endpoint);
  const context = browser.contexts()[0]!;
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    browser,
    page,
    async kill() {
      process.kill(-child.pid!, 'SIGKILL');
      await exited;
    },
  };
}

/** Draw a signature-like scribble on the autograph pad with the mouse. */
export async function drawAutograph(page: Page, variant = 0): Promise<void> {
  const pad = page.locator('canvas.autograph__pad');
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  const strokes = 2 + (variant % 2);
  for (let s = 0; s < strokes; s++) {
    const y0 = box.y + box.height * (0.35 + 0.15 * s);
    await page.mouse.move(box.x + box.width * (0.15 + 0.05 * s), y0);
    await page.mouse.down();
    for (let i = 1; i <= 24; i++) {
      const x = box.x + box.width * (0.15 + 0.05 * s + (0.6 * i) / 24);
      const y = y0 + Math.sin((i + variant) / 3) * box.height * 0.15;
      await page.mouse.move(x, y, { steps: 2 });
    }
    await page.mouse.up();
  }
}

export interface SignerDetails {
  givenName: string;
  familyName: string;
  street: string;
  city: string;
  state: string;
  zip: string;
  email?: string;
}

export async function fillSigner(page: Page, s: SignerDetails): Promise<void> {
  await page.getByLabel('Given name').fill(s.givenName);
  await page.getByLabel('Family name').fill(s.familyName);
  await page.getByLabel('Street address').fill(s.street);
  await page.getByLabel('City').fill(s.city);
  await page.getByLabel('State').selectOption(s.state);
  await page.getByLabel('ZIP code').fill(s.zip);
  if (s.email) await page.getByLabel('Email (optional)').fill(s.email);
}

/**
 * The device's signatures with their sealed details opened with the drive's key (`signer`, `autograph`,
 * `location` beside the row's own fields), for tests that check what was taken; a row without `sealed`
 * (purged) comes as it is.
 */
export async function openedSignatures(page: Page, driveKey: CryptoKey): Promise<Record<string, unknown>[]> {
  return Promise.all(
    (await deviceSignatures(page)).map(async (row) =>
      typeof row.sealed === 'string'
        ? { ...row, ...(await openSignerDetails(driveKey, row.sealed, { driveId: String(row.driveId), recordId: String(row.id) })) }
        : row,
    ),
  );
}

/** Read the device's signatures straight from IndexedDB, as the tablet holds them. */
export function deviceSignatures(page: Page): Promise<Record<string, unknown>[]> {
  return page.evaluate(
    () =>
      new Promise<Record<string, unknown>[]>((resolve, reject) => {
        const open = indexedDB.open('fieldpen');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('signatures', 'readonly');
          const all = tx.objectStore('signatures').getAll();
          all.onsuccess = () => {
            open.result.close();
            resolve(all.result as Record<string, unknown>[]);
          };
          all.onerror = () => reject(all.error);
        };
      }),
  );
}
