// The device database across a schema upgrade, and when the disk is full.
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceDB, signerKeyOf, useDeviceDb, type DeviceSignature } from '../../src/storage/device-db';
import { StorageFullError } from '../../src/storage/errors';
import { captureSignature, findSameSigner } from '../../src/storage/signatures';
import { deviceCounts, outbox, wireRecord } from '../../src/storage/outbox';
import { sampleCaptureInput, sampleRecord } from '../support/records';

let opened: DeviceDB | undefined;
afterEach(async () => {
  opened?.close();
  await opened?.delete();
  opened = undefined;
  useDeviceDb(undefined);
});

describe('upgrading the device database', () => {
  it('keeps all 1,000 waiting records when version 1 becomes the current version, adding only the signer key', async () => {
    const name = 'upgrade-test';
    // The database exactly as app version 1 made it.
    const v1 = new Dexie(name);
    v1.version(1).stores({ signatures: 'id, &seq, state, [state+seq], capturedAt' });
    const rows: DeviceSignature[] = [];
    for (let seq = 1; seq <= 1000; seq++) {
      rows.push({ ...(await sampleRecord({ deviceId: 'device-1', driveId: 'drive-1', petitionVersion: 'c'.repeat(64), seq })), state: 'pending' });
    }
    await v1.table('signatures').bulkAdd(rows);
    v1.close();

    opened = new DeviceDB(name);
    useDeviceDb(opened);
    await opened.open();
    expect(opened.verno).toBe(3);
    const after = await opened.signatures.orderBy('seq').toArray();
    expect(after).toHaveLength(1000);
    expect(after).toEqual(rows.map((r) => ({ ...r, signerKey: signerKeyOf(r.signer) })));
    expect(after.map(wireRecord)).toEqual(rows.map(wireRecord));
    // The same-signer warning finds a signer saved before the upgrade.
    const earlier = rows[499]!;
    expect(await findSameSigner({ ...earlier.signer, givenName: earlier.signer.givenName.toUpperCase() })).toEqual({
      seq: 500,
      capturedAt: earlier.capturedAt,
    });
    expect(await deviceCounts()).toEqual({ capturedThrough: 1000, waiting: 1000 });
    expect((await outbox(500)).map((r) => r.seq)).toEqual(rows.slice(0, 500).map((r) => r.seq));
    // The new index answers over the old rows.
    expect(await opened.signatures.where('[state+capturedAt]').between(['pending', Dexie.minKey], ['pending', Dexie.maxKey]).count()).toBe(1000);
    // And the next signature continues the numbering.
    const next = await captureSignature(input(1001));
    expect(next.seq).toBe(1001);
  }, 60_000);
});

const input = sampleCaptureInput;

describe('a full disk', () => {
  it('fails the save with "Storage full — sync now", writes nothing, and leaves no gap in the numbering', async () => {
    opened = new DeviceDB('quota-test');
    useDeviceDb(opened);
    await captureSignature(input(1));

    // The browser's store refuses every write, as IndexedDB does once the origin's quota is used up.
    const store = globalThis.IDBObjectStore.prototype;
    const add = store.add;
    const put = store.put;
    const refuse = () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
    store.add = refuse;
    store.put = refuse;
    try {
      const failed = captureSignature(input(2));
      await expect(failed).rejects.toBeInstanceOf(StorageFullError);
      await expect(failed).rejects.toThrow(/^Storage full — sync now\. This signature was not saved/);
    } finally {
      store.add = add;
      store.put = put;
    }
    expect(await opened.signatures.count()).toBe(1);
    expect(await deviceCounts()).toEqual({ capturedThrough: 1, waiting: 1 });

    // Room again (after a sync): the next save takes number 2.
    expect((await captureSignature(input(2))).seq).toBe(2);
  });
});
