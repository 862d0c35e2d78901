import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceDB, useDeviceDb } from '../../src/storage/device-db';
import { prepareNextSeal } from '../../src/storage/sealing';
import { captureSignature } from '../../src/storage/signatures';
import { applyResults, deviceCounts, outbox, waitingRecords, wireRecord } from '../../src/storage/outbox';
import { voidSignature } from '../../src/storage/volunteer-day';
import { digestMatches } from '../../src/shared/record';
import { check, SignatureRecordSchema, type SignerDetails } from '../../src/shared/schema';
import { openSignerDetails } from '../../src/shared/signer-seal';
import { decodeBase64url } from '../../src/shared/base64url';
import { encodeAutograph } from '../../src/shared/autograph-codec';
import { sampleAutograph, sampleCaptureInput, sampleSigner } from '../support/records';
import { keepTestDrive } from './tablet-drive';

let db: DeviceDB;
let driveKey: CryptoKey;
let n = 0;
beforeEach(async () => {
  db = new DeviceDB(`device-test-${++n}`);
  useDeviceDb(db);
  driveKey = await keepTestDrive();
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

  it('seals every Save with a key of its own, whether its seal was prepared ahead or not, and each opens with the drive key', async () => {
    const saved = [await captureSignature(input(1))]; // cold: nothing prepared yet
    await prepareNextSeal('drive-1'); // as the form does when it opens: the next Save only encrypts
    saved.push(await captureSignature(input(2)));
    await prepareNextSeal('drive-1');
    await prepareNextSeal('drive-1'); // asked twice: still one seal, for one Save
    saved.push(...(await Promise.all([3, 4, 5].map((i) => captureSignature(input(i))))));
    const rows = await db.signatures.orderBy('seq').toArray();
    expect(rows.map((r) => r.id)).toEqual(saved.map((r) => r.id));
    const encs = rows.map((r) => Buffer.from(decodeBase64url(r.sealed!)!.subarray(1, 66)).toString('hex'));
    expect(new Set(encs).size).toBe(5);
    for (const [i, row] of rows.entries()) {
      const details = await openSignerDetails(driveKey, row.sealed!, { driveId: row.driveId, recordId: row.id });
      expect(details.signer.givenName).toBe(input(i + 1).signer.givenName);
    }
  });

  it('encodes an autograph handed over as drawn (the form does) exactly as the codec does', async () => {
    const strokes = sampleAutograph(3);
    const { id } = await captureSignature({ ...input(3), autograph: strokes });
    const row = (await db.signatures.get(id))!;
    const details = await openSignerDetails(driveKey, row.sealed!, { driveId: row.driveId, recordId: row.id });
    expect(details.autograph).toBe(encodeAutograph(strokes));
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

  it('reads past what a sync settled for waiting records, and from the start for voids', async () => {
    const rows = [];
    for (let i = 1; i <= 6; i++) rows.push(await captureSignature(input(i)));
    // A sync's answers settled 1–4; the volunteer then strikes 2, already confirmed.
    await applyResults(rows.slice(0, 4).map((r) => ({ id: r.id, status: 'stored' as const })));
    await voidSignature(rows[1]!.id, 'Signed twice');
    expect((await outbox(10, 0, 4)).map((r) => [r.seq, r.state])).toEqual([
      [2, 'voided'],
      [5, 'pending'],
      [6, 'pending'],
    ]);
    // Past the last batch sent (5): only what comes after it.
    expect((await outbox(10, 5, 4)).map((r) => r.seq)).toEqual([6]);
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

  it("sends exactly the wire record (protocol 2: sealed, place), without the device's own fields", async () => {
    const row = await captureSignature(input(1));
    await applyResults([{ id: row.id, status: 'stored' }]);
    const stored = (await db.signatures.get(row.id))!;
    const wire = wireRecord(stored);
    expect(Object.keys(wire).sort()).toEqual(['capturedAt', 'deviceId', 'digest', 'driveId', 'id', 'petition', 'place', 'sealed', 'seq', 'volunteer']);
    expect(check(SignatureRecordSchema, wire).ok).toBe(true);
    expect(await digestMatches(wire)).toBe(true);
  });
});

describe('saving seals the signer', () => {
  it("keeps the details only sealed: the drive's key opens them to exactly what was typed, and the row holds no name, street, email or autograph", async () => {
    const typed = {
      ...input(1),
      signer: { ...sampleSigner(1), givenName: 'Zoë', familyName: 'Ó Briain-陈', street: '77 Quillfeather Lane', email: 'zoe.obriain@example.org' },
    };
    const saved = await captureSignature(typed);
    const row = (await db.signatures.get(saved.id))!;
    const opened = await openSignerDetails(driveKey, row.sealed!, { driveId: row.driveId, recordId: row.id });
    expect(opened).toEqual<SignerDetails>({ signer: typed.signer, autograph: typed.autograph });
    const json = JSON.stringify(row);
    for (const clear of ['Zoë', 'Ó Briain', '陈', 'Quillfeather', 'zoe.obriain', typed.autograph.slice(0, 40)]) expect(json).not.toContain(clear);
    expect(Object.keys(row)).not.toEqual(expect.arrayContaining(['signer']));
    expect(Object.keys(row)).not.toContain('autograph');
    // What the screens need stays in clear: initials for today's list, city and state for the counts.
    expect(row).toMatchObject({ initials: 'Z. Ó.', place: { city: typed.signer.city, state: typed.signer.state }, state: 'pending' });
    expect(row.signerKey).toMatch(/^[0-9a-f]{32}$/);
  });

  it('seals each record to its own id: a sealed payload moved to another record does not open', async () => {
    const [a, b] = [await captureSignature(input(1)), await captureSignature(input(2))];
    await expect(openSignerDetails(driveKey, a.sealed!, { driveId: a.driveId, recordId: b.id })).rejects.toThrow();
    expect((await openSignerDetails(driveKey, b.sealed!, { driveId: b.driveId, recordId: b.id })).signer).toEqual(sampleSigner(2));
  });

  it('refuses to save when the tablet has no key for the drive, and writes nothing', async () => {
    await expect(captureSignature({ ...input(1), driveId: 'another-drive' })).rejects.toThrow(/drive’s key/);
    expect(await db.signatures.count()).toBe(0);
  });
});

describe('a signature the server would refuse', () => {
  it('is not saved, and the error names the field', async () => {
    const zip = captureSignature({ ...input(1), signer: { ...sampleSigner(1), zip: '123' } });
    await expect(zip).rejects.toThrow(/signer\.zip/);
    await expect(zip).rejects.toMatchObject({ name: 'InvalidSignatureError', problems: [expect.objectContaining({ field: 'signer.zip' })] });
    await expect(captureSignature({ ...input(1), autograph: '' })).rejects.toThrow(/autograph/);
    await expect(captureSignature({ ...input(1), volunteer: '' })).rejects.toMatchObject({ problems: [expect.objectContaining({ field: 'volunteer' })] });
    expect(await db.signatures.count()).toBe(0);
    expect((await captureSignature(input(2))).seq).toBe(1); // no number was used up
  });

  it('is saved trimmed, exactly as the server will read it', async () => {
    const row = await captureSignature({ ...input(1), volunteer: '  Sam Rivera ' });
    expect(row.volunteer).toBe('Sam Rivera');
    expect(await digestMatches(wireRecord(row))).toBe(true);
  });
});
