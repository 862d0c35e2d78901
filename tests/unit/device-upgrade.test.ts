// The device database across a schema upgrade, and when the disk is full.
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { digestOf } from '../../src/shared/digest';
import { uuidv7 } from '../../src/shared/ids';
import { digestMatches } from '../../src/shared/record';
import { check, SignatureRecordSchema, type Signer } from '../../src/shared/schema';
import { openSignerDetails } from '../../src/shared/signer-seal';
import { DeviceDB, useDeviceDb, type DeviceSignature } from '../../src/storage/device-db';
import { StorageFullError } from '../../src/storage/errors';
import { sealLegacyRecords } from '../../src/storage/legacy-records';
import { captureSignature, findSameSigner } from '../../src/storage/signatures';
import { deviceCounts, outbox, wireRecord } from '../../src/storage/outbox';
import { sampleCaptureInput, sampleDetails } from '../support/records';
import { keepTestDrive } from './tablet-drive';

let opened: DeviceDB | undefined;
afterEach(async () => {
  opened?.close();
  await opened?.delete();
  opened = undefined;
  useDeviceDb(undefined);
});

/** A row as an app of protocol 1 saved it: the signer and autograph in clear, the v3 key in clear too. */
interface ClearRow extends Omit<DeviceSignature, 'place' | 'sealed'> {
  signer: Signer;
  autograph: string;
}

async function clearRow(seq: number, state: DeviceSignature['state'], life: Partial<DeviceSignature> = {}): Promise<ClearRow> {
  const { signer, autograph } = sampleDetails(seq);
  const content = {
    id: uuidv7(Date.now() - 3_600_000 + seq),
    deviceId: 'device-1',
    seq,
    driveId: 'drive-1',
    petition: { version: 'c'.repeat(64), language: 'en' as const },
    volunteer: 'Sam Rivera',
    capturedAt: new Date(Date.now() - 3_600_000 + seq).toISOString(),
    signer,
    autograph,
  };
  const v3Key = `${signer.givenName}|${signer.familyName}|${signer.street}|${signer.zip}`.toLowerCase();
  return { ...content, digest: await digestOf(content), state, signerKey: v3Key, ...life };
}

/**
 * No row holds a signer's given name, family name, street, email or autograph in any clear field. The
 * ciphertext and the hex digests are left out of the search, and it minds case: a short name such as
 * "Ada" turns up by chance in thousands of base64url characters, and "ada" in hex ids.
 */
function expectNoSignerInClear(rows: readonly DeviceSignature[], signers: number[]): void {
  const json = JSON.stringify(rows.map(({ sealed: _s, digest: _d, signerKey: _k, ...clear }) => clear));
  for (const n of signers) {
    const { signer, autograph } = sampleDetails(n);
    for (const clear of [signer.givenName, signer.familyName, signer.street, signer.email, autograph.slice(0, 32)]) {
      if (clear) expect(json, `signer ${n}`).not.toContain(clear);
    }
  }
  for (const row of rows) expect(Object.keys(row)).not.toEqual(expect.arrayContaining([expect.stringMatching(/^(signer|autograph|location|legacyClear)$/)]));
}

describe('upgrading the device database to version 4 (sealed signers)', () => {
  it('keeps all 1,000 waiting records of version 1, sealed once the drive key is known, with the same ids, numbers and outbox', async () => {
    const name = 'upgrade-test';
    // The database exactly as app version 1 made it.
    const v1 = new Dexie(name);
    v1.version(1).stores({ signatures: 'id, &seq, state, [state+seq], capturedAt' });
    const rows: ClearRow[] = [];
    for (let seq = 1; seq <= 1000; seq++) {
      const { signerKey: _none, ...row } = await clearRow(seq, 'pending');
      rows.push(row);
    }
    await v1.table('signatures').bulkAdd(rows);
    v1.close();

    opened = new DeviceDB(name);
    useDeviceDb(opened);
    await opened.open();
    expect(opened.verno).toBe(4);
    // Before the tablet knows the drive's key: nothing sealed, and nothing unsealed travels.
    expect(await sealLegacyRecords()).toBe(0);
    expect(await outbox(500)).toEqual([]);
    expect(await deviceCounts()).toEqual({ capturedThrough: 1000, waiting: 1000 });

    const driveKey = await keepTestDrive();
    expect(await sealLegacyRecords()).toBe(1000);
    const after = await opened.signatures.orderBy('seq').toArray();
    expect(after).toHaveLength(1000);
    expectNoSignerInClear(after, [1, 2, 500, 1000]);
    expect(after.map((r) => [r.id, r.seq, r.capturedAt, r.state])).toEqual(rows.map((r) => [r.id, r.seq, r.capturedAt, 'pending']));
    for (const i of [0, 499, 999]) {
      const row = after[i]!;
      expect(check(SignatureRecordSchema, wireRecord(row)).ok).toBe(true);
      expect(await digestMatches(wireRecord(row))).toBe(true);
      expect(row.digest).not.toBe(rows[i]!.digest); // a protocol 2 record: its digest covers the sealed details
      expect(await openSignerDetails(driveKey, row.sealed!, { driveId: row.driveId, recordId: row.id })).toEqual({
        signer: rows[i]!.signer,
        autograph: rows[i]!.autograph,
      });
      expect(row.initials).toMatch(/^\S\. \S\.$/);
    }
    // The same-signer warning finds a signer saved before the upgrade.
    const earlier = rows[499]!;
    expect(await findSameSigner({ ...earlier.signer, givenName: earlier.signer.givenName.toUpperCase() })).toEqual({
      seq: 500,
      capturedAt: earlier.capturedAt,
    });
    expect(await deviceCounts()).toEqual({ capturedThrough: 1000, waiting: 1000 });
    expect((await outbox(500)).map((r) => r.seq)).toEqual(rows.slice(0, 500).map((r) => r.seq));
    // The index added in version 2 answers over the old rows.
    expect(await opened.signatures.where('[state+capturedAt]').between(['pending', Dexie.minKey], ['pending', Dexie.maxKey]).count()).toBe(1000);
    // And the next signature continues the numbering.
    const next = await captureSignature(input(1001));
    expect(next.seq).toBe(1001);
  }, 60_000);

  it('opens a version 3 database of clear rows as version 4 with no signer in clear on any row after sealing', async () => {
    const name = 'upgrade-v3-test';
    const v3 = new Dexie(name);
    v3.version(3).stores({ signatures: 'id, &seq, state, [state+seq], capturedAt, [state+capturedAt], signerKey' });
    const at = new Date().toISOString();
    const rows = [
      await clearRow(1, 'confirmed', { confirmedAt: at }),
      await clearRow(2, 'voided', { confirmedAt: at, void: { reason: 'signed twice', at } }), // the void still travels
      await clearRow(3, 'voided', { void: { reason: 'wrong address', at } }), // never reached the server
      await clearRow(4, 'rejected', { rejection: { code: 'invalid_field', field: 'signer.zip', message: 'bad zip' } }),
      await clearRow(5, 'pending'),
      await clearRow(6, 'purged', { confirmedAt: at }),
    ];
    await v3.table('signatures').bulkAdd(rows);
    v3.close();

    opened = new DeviceDB(name);
    useDeviceDb(opened);
    await opened.open();
    expect(opened.verno).toBe(4);
    // The upgrade itself: rows the server holds lose the details at once; the v3 key (a clear name) goes from every row.
    const upgraded = new Map((await opened.signatures.toArray()).map((r) => [r.seq, r as DeviceSignature & Partial<ClearRow> & { legacyClear?: 1 }]));
    for (const seq of [1, 2, 6]) {
      const row = upgraded.get(seq)!;
      expect(row.signer).toBeUndefined();
      expect(row.autograph).toBeUndefined();
      expect(row.legacyClear).toBeUndefined();
      expect(row).toMatchObject({ id: rows[seq - 1]!.id, seq, digest: rows[seq - 1]!.digest, state: rows[seq - 1]!.state, initials: 'A. S.' });
    }
    for (const seq of [3, 4, 5]) expect(upgraded.get(seq)!.legacyClear).toBe(1);
    for (const row of upgraded.values()) expect(row.signerKey).toBeUndefined();

    await keepTestDrive();
    expect(await sealLegacyRecords()).toBe(3);
    const after = await opened.signatures.orderBy('seq').toArray();
    expectNoSignerInClear(after, [1, 2, 3, 4, 5, 6]);
    expect(after.map((r) => r.state)).toEqual(['confirmed', 'voided', 'voided', 'rejected', 'pending', 'purged']);
    expect(after.map((r) => r.place)).toEqual(rows.map((r) => ({ city: r.signer.city, state: r.signer.state })));
    // What travels: the waiting record and the never-delivered voided one (sealed), and the void of #2.
    expect((await outbox(10)).map((r) => r.seq)).toEqual([2, 3, 5]);
    for (const row of await outbox(10)) if (row.seq !== 2) expect(await digestMatches(wireRecord(row))).toBe(true);
    expect(after[3]!.rejection).toEqual(rows[3]!.rejection);
    // Nothing is left to seal: a later start does no work.
    expect(await sealLegacyRecords()).toBe(0);
  });
});

const input = sampleCaptureInput;

describe('a full disk', () => {
  it('fails the save with "Storage full — sync now", writes nothing, and leaves no gap in the numbering', async () => {
    opened = new DeviceDB('quota-test');
    useDeviceDb(opened);
    await keepTestDrive();
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
