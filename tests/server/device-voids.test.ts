// Voids from the device to the server: a struck signature keeps its number, reaches the server as a
// change of state, and a late answer never undoes what a newer one settled.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EnrollResponse } from '../../src/shared/protocol';
import { receiptCodeOf } from '../../src/shared/receipt-code';
import { DeviceDB } from '../../src/storage/device-db';
import { InvalidSignatureError } from '../../src/storage/errors';
import { loadReceipt } from '../../src/storage/settings';
import { applyResults, deviceCounts } from '../../src/storage/outbox';
import { voidSignature } from '../../src/storage/volunteer-day';
import { syncOnce, type SyncReport } from '../../src/sync/sync-engine';
import { injectNetwork, type NetFault } from '../support/inject-network';
import type { Harness } from './harness';
import { captureOn, setUpTablet, tearDownTablet } from './tablet';

const capture = (count: number) => captureOn(device, count);

let server: Harness;
let device: EnrollResponse;
let db: DeviceDB;

beforeEach(async () => {
  ({ server, device, db } = await setUpTablet('Tablet 9'));
});
afterEach(() => tearDownTablet({ server, device, db }));

const sync = (faults: NetFault[] = []) =>
  syncOnce({ appVersion: 'test', fetch: injectNetwork(server.app, () => faults.shift() ?? 'none').fetch }) as Promise<SyncReport>;
const serverRow = (id: string) => server.db.selectFrom('signatures').selectAll().where('id', '=', id).executeTakeFirst();

describe('a voided signature', () => {
  it('voided before it was ever sent still travels, is stored and voided on the server, leaving no gap', async () => {
    const [, second] = await capture(3);
    await voidSignature(second!.id, 'Signer already signed today');
    expect(await deviceCounts()).toEqual({ capturedThrough: 3, waiting: 3 });

    const report = await sync();
    expect(report).toMatchObject({ confirmed: 3, voided: 1, receipt: { received: 3, voided: 1, complete: true, missing: [] } });
    expect(await serverRow(second!.id)).toMatchObject({ seq: 2, digest: second!.digest, void_reason: 'Signer already signed today' });
    const local = await db.signatures.get(second!.id);
    expect(local).toMatchObject({ state: 'voided', void: { reason: 'Signer already signed today' } });
    expect(local!.confirmedAt).toBeTruthy();
    expect(local!.voidConfirmedAt).toBeTruthy();
    expect(await deviceCounts()).toEqual({ capturedThrough: 3, waiting: 0 });
  });

  it('voided after the server confirmed it is sent as a void alone, and the receipt code follows', async () => {
    const [first, second] = await capture(2);
    const before = await sync();
    await voidSignature(first!.id, 'Wrong address');
    const after = await sync();
    expect(after).toMatchObject({ sent: 1, confirmed: 0, voided: 1, receipt: { received: 2, voided: 1, complete: true } });
    expect(after.receipt.code).not.toBe(before.receipt.code);
    expect(after.receipt.code).toBe(
      await receiptCodeOf([
        { digest: first!.digest, voided: true },
        { digest: second!.digest, voided: false },
      ]),
    );
    expect(await loadReceipt()).toEqual(after.receipt);
    expect((await serverRow(first!.id))!.void_reason).toBe('Wrong address');
    const quiet = await sync();
    expect(quiet.sent).toBe(0);
  });

  it('reaches the server once through a lost answer and a double delivery', async () => {
    const [first] = await capture(1);
    await sync();
    await voidSignature(first!.id, 'Signer changed their mind');
    await expect(sync(['lose-answer'])).rejects.toMatchObject({ kind: 'offline' });
    expect((await db.signatures.get(first!.id))!.voidConfirmedAt).toBeUndefined();
    const report = await sync(['deliver-twice']);
    expect(report.voided).toBe(1);
    expect(report.receipt).toMatchObject({ received: 1, voided: 1 });
  });

  it('needs a reason, and striking it twice changes nothing', async () => {
    const [first] = await capture(1);
    await expect(voidSignature(first!.id, '   ')).rejects.toBeInstanceOf(InvalidSignatureError);
    expect((await db.signatures.get(first!.id))!.state).toBe('pending');
    const once = await voidSignature(first!.id, 'Duplicate');
    const twice = await voidSignature(first!.id, 'Another reason');
    expect(twice.void).toEqual(once.void);
  });
});

describe('an answer that arrives late', () => {
  it('never changes a record a newer answer already settled', async () => {
    const [first] = await capture(1);
    await sync();
    await applyResults([{ id: first!.id, status: 'conflict', reason: { code: 'content_differs', message: 'late' } }]);
    expect(await db.signatures.get(first!.id)).toMatchObject({ state: 'confirmed' });
    expect((await db.signatures.get(first!.id))!.rejection).toBeUndefined();
  });

  it('for a record voided meanwhile confirms the record and leaves its void to be sent', async () => {
    const [first] = await capture(1);
    await voidSignature(first!.id, 'Signer withdrew');
    await applyResults([{ id: first!.id, status: 'stored' }]);
    const row = (await db.signatures.get(first!.id))!;
    expect(row.state).toBe('voided');
    expect(row.confirmedAt).toBeTruthy();
    expect(row.voidConfirmedAt).toBeUndefined();
    expect(await deviceCounts()).toMatchObject({ waiting: 1 });
  });
});
