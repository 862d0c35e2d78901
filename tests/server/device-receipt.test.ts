// The receipt on the device: kept after every sync, and acted on when it says the server lost
// signatures it once confirmed (its database restored from an older backup).
import 'fake-indexeddb/auto';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/server/app';
import { openDatabase } from '../../src/server/db/connect';
import type { EnrollResponse } from '../../src/shared/protocol';
import { receiptCodeOf } from '../../src/shared/receipt-code';
import { DeviceDB } from '../../src/storage/device-db';
import { loadReceipt } from '../../src/storage/settings';
import { voidSignature } from '../../src/storage/volunteer-day';
import { syncOnce, type SyncReport } from '../../src/sync/sync-engine';
import { injectNetwork } from '../support/inject-network';
import { countRows, TEST_DATABASE_URL, type Harness } from './harness';
import { captureOn, setUpTablet, tearDownTablet } from './tablet';

const capture = (count: number) => captureOn(device, count);

let server: Harness;
let device: EnrollResponse;
let db: DeviceDB;

beforeEach(async () => {
  ({ server, device, db } = await setUpTablet('Tablet 3'));
});
afterEach(() => tearDownTablet({ server, device, db }));

describe('the receipt on the device', () => {
  it('is kept after each sync and matches what the tablet computes from its own records', async () => {
    const saved = await capture(4);
    const report = (await syncOnce({ appVersion: 'test', fetch: injectNetwork(server.app).fetch })) as SyncReport;
    expect(await loadReceipt()).toEqual(report.receipt);
    expect(report.receipt).toMatchObject({ received: 4, capturedThrough: 4, complete: true });
    expect(report.receipt.code).toBe(await receiptCodeOf(saved.map((r) => ({ digest: r.digest, voided: false }))));
  });

  // The restore is made with SQLite's own VACUUM INTO; what it checks is the device's behaviour, the same on either database.
  it.skipIf(TEST_DATABASE_URL !== undefined)('sends again what a server restored from an older backup no longer holds, voids included', async () => {
    const first = await capture(2);
    await syncOnce({ appVersion: 'test', fetch: injectNetwork(server.app).fetch });
    const backup = join(server.dir, 'backup.sqlite');
    await sql`VACUUM INTO ${backup}`.execute(server.db);

    const later = await capture(3);
    await voidSignature(later[0]!.id, 'Signer withdrew');
    await syncOnce({ appVersion: 'test', fetch: injectNetwork(server.app).fetch });
    expect(await db.signatures.where('state').equals('pending').count()).toBe(0);

    // The server's disk is lost; it comes back from the backup taken after the first two.
    await server.app.close();
    await server.closeDatabase();
    const restored = openDatabase({ file: backup });
    const app = buildServer({ db: restored.db });
    try {
      const report = (await syncOnce({ appVersion: 'test', fetch: injectNetwork(app).fetch })) as SyncReport;
      expect(report.receipt).toMatchObject({ received: 5, capturedThrough: 5, missing: [], voided: 1, complete: true });
      expect(await countRows(restored.db, 'signatures', device.deviceId)).toBe(5);
      const rows = [...first, ...later].map((r, i) => ({ digest: r.digest, voided: i === 2 }));
      expect(report.receipt.code).toBe(await receiptCodeOf(rows));
      const local = await db.signatures.orderBy('seq').toArray();
      expect(local.map((r) => [r.state, Boolean(r.confirmedAt)])).toEqual([
        ['confirmed', true],
        ['confirmed', true],
        ['voided', true],
        ['confirmed', true],
        ['confirmed', true],
      ]);
    } finally {
      await app.close();
      await restored.close();
    }
  });
});
