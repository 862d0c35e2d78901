import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceDB, useDeviceDb } from '../../src/storage/device-db';
import { captureSignature } from '../../src/storage/signatures';
import { applyResults, deviceCounts, waitingRecords, wireRecord } from '../../src/storage/outbox';
import { digestMatches } from '../../src/shared/record';
import { check, SignatureRecordSchema } from '../../src/shared/schema';
import { sampleCaptureInput, sampleSigner } from '../support/records';

let db: DeviceDB;
let n = 0;
beforeEach(async () => {
  db = new DeviceDB(`device-test-${++n}`);
  useDeviceDb(db);
});
afterEach(async () => {
  db.close();
  await db.delete();
  useDeviceDb(undefined);
});

const input = sampleCaptureInput;

describe('saving a signature on the device', () => {
  it('gives sequence numbers 1, 2, 3… with no gaps and a valid sealed record', async () => {
    const saved = [];
    for (let i = 1; i <= 5; i++) saved.push(await captureSignature(input(i)));
    expect(saved.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    const rows = await db.signatures.orderBy('seq').toArray();
    expect(rows.map((r) => r.state)).toEqual(['pending', 'pending', 'pending', 'pending', 'pending']);
    for (const row of rows) {
      expect(check(SignatureRecordSchema, wireRecord(row)).ok).toBe(true);
      expect(await digestMatches(wireRecord(row))).toBe(true);
    }
  });

  it('never gives two signatures the same number, even saved at once', async () => {
    const saved = await Promise.all(Array.from({ length: 10 }, (_, i) => captureSignature(input(i + 1))));
    expect(saved.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(await db.signatures.count()).toBe(10);
  });

  it('goes on after a number another tab took meanwhile, leaving no gap', async () => {
    await captureSignature(input(1));
    await captureSignature(input(2));
    const otherTab = new DeviceDB(db.name);
    const theirs = { ...(await db.signatures.get({ seq: 2 }))!, id: '019ac000-0000-7000-8000-000000000003', seq: 3 };
    await otherTab.signatures.add(theirs);
    otherTab.close();
    expect((await captureSignature(input(4))).seq).toBe(4);
    expect(await db.signatures.orderBy('seq').keys()).toEqual([1, 2, 3, 4]);
  });

  it('carries on from the highest number after the app restarts', async () => {
    await captureSignature(input(1));
    await captureSignature(input(2));
    db.close();
    const reopened = new DeviceDB(db.name);
    useDeviceDb(reopened); // a fresh app: no cached sequence
    expect((await captureSignature(input(3))).seq).toBe(3);
    db = reopened;
  });
});

describe('what sync reads and writes', () => {
  it('takes the oldest waiting records first, up to the batch size', async () => {
    for (let i = 1; i <= 7; i++) await captureSignature(input(i));
    expect((await waitingRecords(3)).map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(await deviceCounts()).toEqual({ capturedThrough: 7, waiting: 7 });
  });

  it('leaves "waiting" only on the server\'s answer: confirmed, or rejected with the reason kept', async () => {
    const [a, b, c] = [await captureSignature(input(1)), await captureSignature(input(2)), await captureSignature(input(3))];
    await applyResults([
      { id: a.id, status: 'stored' },
      { id: b.id, status: 'duplicate' },
      { id: c.id, status: 'rejected', reason: { code: 'invalid_field', field: 'signer.zip', message: 'bad zip' } },
      { id: 'someone-else', status: 'stored' },
    ]);
    const rows = await db.signatures.orderBy('seq').toArray();
    expect(rows.map((r) => r.state)).toEqual(['confirmed', 'confirmed', 'rejected']);
    expect(rows[2]!.rejection).toEqual({ code: 'invalid_field', field: 'signer.zip', message: 'bad zip' });
    expect(await waitingRecords(10)).toEqual([]);
    expect(await deviceCounts()).toEqual({ capturedThrough: 3, waiting: 0 });
  });

  it("sends exactly the wire record, without the device's own fields", async () => {
    const row = await captureSignature(input(1));
    await applyResults([{ id: row.id, status: 'stored' }]);
    const stored = (await db.signatures.get(row.id))!;
    expect(Object.keys(wireRecord(stored))).not.toContain('state');
    expect(Object.keys(wireRecord(stored))).not.toContain('confirmedAt');
  });
});

describe('a signature the server would refuse', () => {
  it('is not saved, and the error names the field', async () => {
    await expect(captureSignature({ ...input(1), signer: { ...sampleSigner(1), zip: '123' } })).rejects.toThrow(/signer\.zip/);
    await expect(captureSignature({ ...input(1), autograph: '' })).rejects.toThrow(/autograph/);
    expect(await db.signatures.count()).toBe(0);
    expect((await captureSignature(input(2))).seq).toBe(1); // no number was used up
  });

  it('is saved trimmed, exactly as the server will read it', async () => {
    const row = await captureSignature({ ...input(1), volunteer: '  Sam Rivera ' });
    expect(row.volunteer).toBe('Sam Rivera');
    expect(await digestMatches(wireRecord(row))).toBe(true);
  });
});
