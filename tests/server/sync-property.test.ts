// A property of the sync engine against the real server (in process, real SQLite): whatever the
// network does — lose requests or answers, deliver twice or late, answer 500 or 413 — and however
// captures and voids interleave with syncs, once the network behaves the server holds every captured
// signature exactly once with the device's digest, every void, and a complete receipt whose code
// the device can recompute.
import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { receiptCodeOf } from '../../src/shared/receipt-code';
import { DeviceDB, useDeviceDb } from '../../src/storage/device-db';
import { forgetEnrollment, loadReceipt, saveDrive, saveEnrollment } from '../../src/storage/settings';
import { voidSignature } from '../../src/storage/volunteer-day';
import { SyncFailure, syncOnce } from '../../src/sync/sync-engine';
import { injectNetwork, type NetFault } from '../support/inject-network';
import { countRows, createTestDrive, enroll, startServer } from './harness';
import { captureOn } from './tablet';

type Step =
  | { kind: 'capture'; count: number }
  | { kind: 'void'; pick: number }
  | { kind: 'sync'; faults: NetFault[] }
  | { kind: 'capture-during-sync'; count: number; faults: NetFault[] };

const fault = fc.constantFrom<NetFault>('none', 'none', 'lose-request', 'lose-answer', 'deliver-twice', 'server-error', 'too-large', 'deliver-late');
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('capture' as const), count: fc.integer({ min: 1, max: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('void' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('sync' as const), faults: fc.array(fault, { maxLength: 6 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('capture-during-sync' as const),
      count: fc.integer({ min: 1, max: 4 }),
      faults: fc.array(fault, { maxLength: 4 }),
    }),
  },
);

let run = 0;

async function check(steps: Step[]): Promise<void> {
  const server = await startServer();
  const db = new DeviceDB(`property-${++run}`);
  useDeviceDb(db);
  try {
    const { code } = await createTestDrive(server.db);
    const device = await enroll(server.app, code);
    await saveEnrollment({ deviceId: device.deviceId, token: device.token, driveId: device.drive.id, enrolledAt: new Date().toISOString(), persisted: false });
    await saveDrive(device.drive); // the key its signatures are sealed to
    let captured = 0;
    const capture = async (count: number) => {
      captured += (await captureOn(device, count)).length;
    };
    let faults: NetFault[] = [];
    const net = injectNetwork(server.app, () => faults.shift() ?? 'none');
    const sync = async () => {
      try {
        await syncOnce({ appVersion: 'property', fetch: net.fetch });
      } catch (e) {
        if (!(e instanceof SyncFailure)) throw e; // a fault may fail a sync; nothing else may
      }
    };

    for (const s of steps) {
      if (s.kind === 'capture') await capture(s.count);
      else if (s.kind === 'void') {
        const rows = await db.signatures.toArray();
        if (rows.length > 0) await voidSignature(rows[s.pick % rows.length]!.id, `Struck in step ${s.pick}`);
      } else {
        faults = [...s.faults];
        if (s.kind === 'sync') await sync();
        else await Promise.all([sync(), capture(s.count)]);
      }
    }

    // The network behaves again: whatever it still held back arrives, and the device syncs.
    faults = [];
    await net.flushLate();
    await sync();

    const rows = await db.signatures.orderBy('seq').toArray();
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: captured }, (_, i) => i + 1));
    for (const r of rows) {
      expect(r.confirmedAt, `seq ${r.seq} confirmed`).toBeTruthy();
      expect(r.rejection).toBeUndefined();
      expect(r.state).toBe(r.void ? 'voided' : 'confirmed');
      if (r.void) expect(r.voidConfirmedAt, `void of seq ${r.seq} confirmed`).toBeTruthy();
    }
    const held = await server.db
      .selectFrom('signatures')
      .select(['id', 'seq', 'digest', 'void_reason'])
      .where('device_id', '=', device.deviceId)
      .orderBy('seq')
      .execute();
    expect(held.map((h) => [h.id, h.seq, h.digest, h.void_reason])).toEqual(rows.map((r) => [r.id, r.seq, r.digest, r.void?.reason ?? null]));
    expect(await countRows(server.db, 'conflicts', device.deviceId)).toBe(0);
    expect(await countRows(server.db, 'rejections', device.deviceId)).toBe(0);

    const receipt = (await loadReceipt())!;
    expect(receipt).toMatchObject({ received: captured, capturedThrough: captured, contiguousThrough: captured, missing: [], missingCount: 0, complete: true });
    expect(receipt.voided).toBe(rows.filter((r) => r.void).length);
    expect(receipt.code).toBe(await receiptCodeOf(rows.map((r) => ({ digest: r.digest, voided: Boolean(r.void) }))));
  } finally {
    db.close();
    await db.delete();
    useDeviceDb(undefined);
    await forgetEnrollment();
    await server.stop();
  }
}

describe('the sync engine under random network faults', () => {
  it('ends with every captured signature and void on the server exactly once, and a complete receipt', async () => {
    await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 14 }), check), { numRuns: 60 });
  }, 240_000);
});
