import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceDB, useDeviceDb } from '../../src/storage/device-db';
import { captureSignature, findSameSigner, type CaptureInput } from '../../src/storage/signatures';
import { applyResults, waitingRecords, wireRecord } from '../../src/storage/outbox';
import { todaySignatures$, voidSignature, type TodayEntry } from '../../src/storage/volunteer-day';
import { check, SignatureRecordSchema } from '../../src/shared/schema';
import { sampleCaptureInput, sampleSigner } from '../support/records';
import { keepTestDrive } from './tablet-drive';

let db: DeviceDB;
let n = 0;
beforeEach(async () => {
  db = new DeviceDB(`today-test-${++n}`);
  useDeviceDb(db);
  await keepTestDrive();
});
afterEach(async () => {
  db.close();
  await db.delete();
  useDeviceDb(undefined);
});

/** The sample signer form, in Spanish. */
const input = (i: number, over: Partial<CaptureInput> = {}): CaptureInput => ({
  ...sampleCaptureInput(i),
  petition: { version: 'c'.repeat(64), language: 'es' },
  ...over,
});

function firstValue<T>(o: { subscribe(x: { next: (v: T) => void; error: (e: unknown) => void }): { unsubscribe(): void } }): Promise<T> {
  return new Promise((resolve, reject) => {
    const s = o.subscribe({ next: (v) => (s?.unsubscribe(), resolve(v)), error: reject });
  });
}

describe("today's list on the device", () => {
  it('shows each signature of today with its number, time, initials, city and state, newest first — never a name', async () => {
    await captureSignature(input(1));
    await captureSignature(input(2, { signer: { ...sampleSigner(2), givenName: 'Élodie', familyName: '陈' } }));
    const list = await firstValue<TodayEntry[]>(todaySignatures$());
    expect(list.map((e) => [e.seq, e.initials, e.city, e.state])).toEqual([
      [2, 'É. 陈.', sampleSigner(2).city, 'pending'],
      [1, 'A. S.', sampleSigner(1).city, 'pending'],
    ]);
    expect(list.every((e) => !Number.isNaN(Date.parse(e.capturedAt)))).toBe(true);
    const shown = JSON.stringify(list);
    for (const clear of ['Elm Street', 'Ada', 'Signer 1', 'Élodie', sampleSigner(1).zip]) expect(shown).not.toContain(clear);
  });

  it('leaves out signatures of earlier days', async () => {
    await captureSignature(input(1), new Date(Date.now() - 3 * 24 * 3600 * 1000));
    await captureSignature(input(2));
    expect((await firstValue<TodayEntry[]>(todaySignatures$())).map((e) => e.seq)).toEqual([2]);
  });
});

describe('voiding a signature', () => {
  it('marks it voided with the reason and time, keeps its sequence number, and takes it out of the waiting records', async () => {
    const a = await captureSignature(input(1));
    const b = await captureSignature(input(2));
    const at = new Date('2026-11-27T15:00:00Z');
    await voidSignature(a.id, '  signer asked to withdraw ', at);
    const row = await db.signatures.get(a.id);
    expect(row).toMatchObject({ state: 'voided', seq: 1, void: { reason: 'signer asked to withdraw', at: at.toISOString() } });
    expect((await waitingRecords(10)).map((r) => r.id)).toEqual([b.id]);
    const list = await firstValue<TodayEntry[]>(todaySignatures$());
    expect(list.find((e) => e.id === a.id)).toMatchObject({ state: 'voided', void: { reason: 'signer asked to withdraw' } });
  });

  it('refuses a void without a reason, or of a signature not on the tablet, and changes nothing', async () => {
    const a = await captureSignature(input(1));
    await expect(voidSignature(a.id, '   ')).rejects.toThrow(/reason/);
    await expect(voidSignature('0190aaaa-0000-7000-8000-000000000000', 'typo')).rejects.toThrow(/not on this tablet/);
    expect((await db.signatures.get(a.id))?.state).toBe('pending');
    expect((await db.signatures.get(a.id))?.void).toBeUndefined();
  });

  it('can void a signature the server already confirmed, which keeps its confirmation time', async () => {
    const a = await captureSignature(input(1));
    await applyResults([{ id: a.id, status: 'stored' }]);
    await voidSignature(a.id, 'signed twice');
    expect(await db.signatures.get(a.id)).toMatchObject({ state: 'voided', confirmedAt: expect.any(String) });
  });
});

describe('the same signer twice on one device', () => {
  it('finds an earlier signature of the same name and address, whatever the case and spacing', async () => {
    const first = await captureSignature(input(1));
    const s = sampleSigner(1);
    const found = await findSameSigner({
      givenName: ` ${s.givenName.toUpperCase()}`,
      familyName: s.familyName,
      street: s.street.replace(' ', '  '),
      zip: `${s.zip}-0001`,
    });
    expect(found).toEqual({ seq: first.seq, capturedAt: first.capturedAt });
  });

  it('finds it by a keyed hash: no row holds the name or address it compares', async () => {
    const first = await captureSignature(input(1));
    const row = (await db.signatures.get(first.id))!;
    const s = sampleSigner(1);
    expect(row.signerKey).toMatch(/^[0-9a-f]{32}$/);
    // Its clear fields (the ciphertext and hex strings aside: "Ada" turns up in those by chance).
    const { sealed: _s, digest: _d, signerKey: _k, ...clearFields } = row;
    for (const clear of [s.givenName, s.familyName, s.street]) expect(JSON.stringify(clearFields)).not.toContain(clear);
    const repeat = await captureSignature(input(1));
    expect((await db.signatures.get(repeat.id))!.signerKey).toBe(row.signerKey);
    expect(await findSameSigner(s)).toEqual({ seq: 1, capturedAt: first.capturedAt });
  });

  it('does not count another person, another address, or a voided signature', async () => {
    const first = await captureSignature(input(1));
    const s = sampleSigner(1);
    expect(await findSameSigner({ ...s, givenName: 'Bea' })).toBeUndefined();
    expect(await findSameSigner({ ...s, street: '9 Elm Street' })).toBeUndefined();
    expect(await findSameSigner(s)).toEqual({ seq: first.seq, capturedAt: first.capturedAt });
    await voidSignature(first.id, 'test');
    expect(await findSameSigner(s)).toBeUndefined();
  });
});

describe('a signature taken with assistance', () => {
  it('keeps who attested, and the record still passes the shared schema', async () => {
    const saved = await captureSignature(input(1, { assisted: { attestedBy: 'Sam Rivera' } }));
    const checked = check(SignatureRecordSchema, wireRecord(saved));
    expect(checked.ok).toBe(true);
    if (checked.ok) expect(checked.value.assisted).toEqual({ attestedBy: 'Sam Rivera' });
  });
});
