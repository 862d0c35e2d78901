// An enrolled tablet on a fresh profile against the real server: where the volunteer-screen tests start.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { BrowserContext, Page } from 'playwright-core';
import { unlockWithPassphrase, type WrappedKey } from '../../src/server/drive-keys';
import { launchTablet } from './browser';
import { startServer, type ServerProcess } from './server-process';

export interface EnrolledTablet {
  server: ServerProcess;
  tablet: BrowserContext;
  page: Page;
  profile: string;
  /** The server's data folder (its SQLite file is `fieldpen.sqlite` there). */
  dataDir: string;
  /**
   * Take the network away where no browser can miss it: the server process stops (its port refuses
   * connections), whatever `navigator.onLine` or `context.setOffline` say in this Chromium. Returns
   * the way back: the server again on the same address and data.
   */
  serverDown(): Promise<() => Promise<void>>;
  /** The demo drive's private key, opened with the passphrase the server printed: what opens the tablet's sealed records. */
  driveKey(): Promise<CryptoKey>;
  close(): Promise<void>;
}

/** The demo drive's passphrase, as the server prints it once at its first start. */
function demoPassphrase(server: ServerProcess): string {
  const passphrase = /Demo drive passphrase:\s*(\S+)/.exec(server.output())?.[1];
  if (!passphrase) throw new Error('the server printed no demo drive passphrase');
  return passphrase;
}

/** Open the only drive's key of a server's SQLite data folder with its passphrase, as an organizer's unlock does. */
export async function openDriveKey(dataDir: string, passphrase: string): Promise<CryptoKey> {
  const db = new BetterSqlite3(join(dataDir, 'fieldpen.sqlite'), { readonly: true });
  try {
    const row = db.prepare('select drive_id, by_passphrase from drive_keys').get() as { drive_id: string; by_passphrase: string };
    return await unlockWithPassphrase(JSON.parse(row.by_passphrase) as WrappedKey, passphrase, row.drive_id);
  } finally {
    db.close();
  }
}

export async function enrolledTablet(volunteer = 'Sam Rivera'): Promise<EnrolledTablet> {
  const work = mkdtempSync(join(tmpdir(), 'fieldpen-volunteer-'));
  const dataDir = join(work, 'data');
  const server = await startServer(dataDir);
  const passphrase = demoPassphrase(server);
  let driveKey: Promise<CryptoKey> | undefined;
  const profile = join(work, 'profile');
  const tablet = await launchTablet(profile);
  const page = tablet.pages()[0] ?? (await tablet.newPage());
  await page.goto(server.url);
  await page.getByLabel('Enrollment code').fill(server.enrollmentCode);
  await page.getByLabel('Your name (volunteer)').fill(volunteer);
  await page.getByRole('button', { name: 'Enroll this tablet' }).click();
  await page.locator('#petition-title').waitFor({ timeout: 15_000 });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });
  const enrolled: EnrolledTablet = {
    server,
    tablet,
    page,
    profile,
    dataDir,
    async serverDown() {
      const { port } = enrolled.server;
      await enrolled.server.stop();
      return async () => {
        enrolled.server = await startServer(dataDir, port);
      };
    },
    driveKey() {
      driveKey ??= openDriveKey(dataDir, passphrase);
      return driveKey;
    },
    async close() {
      await tablet.close().catch(() => {});
      await enrolled.server.stop();
      rmSync(work, { recursive: true, force: true });
    },
  };
  return enrolled;
}

/** Draw a single short tap-like mark: not enough ink for an autograph. */
export async function drawDot(page: Page): Promise<void> {
  const box = (await page.locator('canvas.autograph__pad').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 3, box.y + box.height / 2 + 1);
  await page.mouse.up();
}

/**
 * Give the drive the device holds a roster, as the server will send it (another part of the server
 * fills it in). Written as a string: tsx would wrap a function in helpers the page does not have.
 */
export async function setRoster(page: Page, roster: string[]): Promise<void> {
  await page.evaluate(`(async (roster) => {
    const db = await new Promise((resolve, reject) => {
      const open = indexedDB.open('fieldpen-settings');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const drive = await new Promise((resolve) => {
      const get = db.transaction('settings').objectStore('settings').get('drive');
      get.onsuccess = () => resolve(get.result);
    });
    await new Promise((resolve) => {
      const tx = db.transaction('settings', 'readwrite');
      tx.objectStore('settings').put({ ...drive, roster }, 'drive');
      tx.oncomplete = resolve;
    });
    db.close();
  })(${JSON.stringify(roster)})`);
}
