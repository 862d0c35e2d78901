// Confirmed signatures' sealed details leave the tablet once their retention has passed — the drive's
// hours, the end of the shift, at the latest the next local midnight — and every confirmed payload at
// once when the server says the tablet is revoked. Nothing the server does not hold yet is ever purged,
// and what the screens count and the receipt covers is the same before and after.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Observable } from 'dexie';
import { DeviceDB, useDeviceDb, type DeviceSignature } from '../../src/storage/device-db';
import { applyResults, deviceCounts } from '../../src/storage/outbox';
import { endShift, loadShiftEndedAt, nextLocalMidnight, purgeAfterSync, purgeExpired, type Retention, wipeConfirmed } from '../../src/storage/purge';
import { loadVolunteer, saveDrive, saveEnrollment, saveVolunteer } from '../../src/storage/settings';
import { todayCounts$ } from '../../src/storage/signatures';
import { clearDraft, loadDraft, saveDraft } from '../../src/storage/draft';
import { receiptCodeOf } from '../../src/shared/receipt-code';
import { PROTOCOL_VERSION, type BatchRequest, type BatchResponse, type DriveInfo } from '../../src/shared/protocol';
import { DeviceRevoked, syncOnce } from '../../src/sync/sync-engine';
import { sampleRecord, testDriveKey } from '../support/records';

const HOUR = 3_600_000;
/** Local times (the tablet's clock): midnight is the tablet's. */
const at = (day: number, hour: number, minute = 0) => new Date(2026, 10, day, hour, minute);

let db: DeviceDB;
let n = 0;
beforeEach(() => {
  db = new DeviceDB(`purge-test-${++n}`);
  useDeviceDb(db);
});
afterEach(async () => {
  db.close();
  await db.delete();
  useDeviceDb(undefined);
});

/** A row as the tablet keeps it: sealed details, signer key and initials, in `state`. */
async function row(seq: number, capturedAt: Date, life: Partial<DeviceSignature> = {}): Promise<DeviceSignature> {
  const record = await sampleRecord(
    { deviceId: 'device-1', driveId: 'drive-1', petitionVersion: 'c'.repeat(64), seq },
    { capturedAt: capturedAt.toISOString(), volunteer: 'Sam Rivera' },
  );
  return { ...record, state: 'pending', signerKey: `key-${seq}`, initials: 'A.S.', ...life };
}
const confirmedAt = (d: Date) => ({ state: 'confirmed' as const, confirmedAt: d.toISOString() });

async function put(...rows: DeviceSignature[]) {
  await db.signatures.bulkAdd(rows);
}
const stored = async (seq: number) => (await db.signatures.where('seq').equals(seq).first())!;
/** Whether the row still holds anything of its signer. */
const holds = async (seq: number) => {
  const r = await stored(seq);
  return r.sealed !== undefined || r.signerKey !== undefined;
};

/** What stays of a purged row: everything but the signer's sealed details and key. */
function expectPurgedFrom(after: DeviceSignature, before: DeviceSignature, state: DeviceSignature['state'] = 'purged') {
  const { sealed: _s, signerKey: _k, ...kept } = before;
  expect(after).toEqual({ ...kept, state });
  expect(after).not.toHaveProperty('sealed');
  expect(after).not.toHaveProperty('signerKey');
}

describe('purging confirmed signatures on the tablet', () => {
  it('by the drive’s purgeAfterHours, counted from the confirmation', async () => {
    const confirmed = await row(1, at(30, 9), confirmedAt(at(30, 10)));
    await put(confirmed);
    expect(await purgeExpired(new Date(at(30, 10).getTime() + 2 * HOUR - 1), { purgeAfterHours: 2 })).toBe(0);
    expect(await holds(1)).toBe(true);
    // The drive's hours decide alone: a shift that ended earlier does not hurry them.
    expect(await purgeExpired(at(30, 11), { purgeAfterHours: 2, shiftEndedAt: at(30, 10, 30).toISOString() })).toBe(0);
    expect(await purgeExpired(at(30, 12), { purgeAfterHours: 2 })).toBe(1);
    expectPurgedFrom(await stored(1), confirmed);
  });

  it('keeps only what receipts and counts read: a clear field an older version left goes too', async () => {
    const legacy = { ...(await row(1, at(30, 9), confirmedAt(at(30, 10)))), signer: { givenName: 'Zoë' }, autograph: 'AQID' } as DeviceSignature;
    await put(legacy);
    expect(await purgeExpired(at(30, 10), { purgeAfterHours: 0 })).toBe(1);
    const after = await stored(1);
    expect(Object.keys(after).sort()).toEqual([
      'capturedAt',
      'confirmedAt',
      'deviceId',
      'digest',
      'driveId',
      'id',
      'initials',
      'petition',
      'place',
      'seq',
      'state',
      'volunteer',
    ]);
  });

  it('purgeAfterHours 0: as soon as the server confirms', async () => {
    await put(await row(1, at(30, 9), confirmedAt(at(30, 10))));
    expect(await purgeExpired(at(30, 10), { purgeAfterHours: 0 })).toBe(1);
  });

  it('by default when the shift ends ("End shift"): what was captured before it, once confirmed', async () => {
    await saveVolunteer('Sam Rivera');
    const before = await row(1, at(30, 9), confirmedAt(at(30, 10)));
    const waiting = await row(2, at(30, 11));
    await put(before, waiting);
    await saveDraft({ fields: { givenName: 'Zoë' } });

    expect(await endShift(at(30, 12))).toBe(1);
    expectPurgedFrom(await stored(1), before);
    expect(await stored(2)).toEqual(waiting); // not confirmed yet: untouched, sealed
    expect(await loadShiftEndedAt()).toBe(at(30, 12).toISOString());
    expect(await loadVolunteer()).toBe('');
    expect(await loadDraft()).toBeUndefined(); // the signer at the door goes too

    // Confirmed after the shift ended (the lead syncs the tablet): purged at the next purge.
    await applyResults([{ id: waiting.id, status: 'stored' }], at(30, 13));
    expect(await purgeExpired(at(30, 13))).toBe(1);
    expect((await stored(2)).state).toBe('purged');

    // The next volunteer's confirmed signatures stay through their own shift, until it ends.
    const next = await row(3, at(30, 14), confirmedAt(at(30, 15)));
    await put(next);
    expect(await purgeExpired(at(30, 16))).toBe(0);
    expect(await endShift(at(30, 17), { volunteer: 'Li Wei' })).toBe(1);
    expect(await loadVolunteer()).toBe('Li Wei');
  });

  it('by default at the latest at the tablet’s next local midnight after the confirmation', async () => {
    expect(new Date(nextLocalMidnight(at(30, 18).getTime()))).toEqual(new Date(2026, 11, 1, 0, 0));
    const evening = await row(1, at(30, 17), confirmedAt(at(30, 18)));
    const lateSync = await row(2, at(30, 17), confirmedAt(new Date(2026, 11, 1, 0, 30))); // confirmed after midnight
    await put(evening, lateSync);
    const noShiftEnded = {}; // the volunteer never tapped "End shift"
    expect(await purgeExpired(at(30, 23, 59), noShiftEnded)).toBe(0);
    expect(await purgeExpired(new Date(2026, 11, 1, 0, 0), noShiftEnded)).toBe(1);
    expectPurgedFrom(await stored(1), evening);
    expect(await holds(2)).toBe(true);
    expect(await purgeExpired(new Date(2026, 11, 2, 0, 0), noShiftEnded)).toBe(1);
    expect(await holds(2)).toBe(false);
  });

  it('never purges a waiting, rejected or unacknowledged voided signature, whatever the time', async () => {
    const rows = [
      await row(1, at(30, 9)),
      await row(2, at(30, 9), { state: 'rejected', rejection: { code: 'invalid_field', message: 'ZIP code', field: 'sealed' } }),
      // Voided before it ever travelled.
      await row(3, at(30, 9), { state: 'voided', void: { reason: 'Signed twice', at: at(30, 9, 5).toISOString() } }),
      // The record is confirmed, its void still travels.
      await row(4, at(30, 9), { state: 'voided', confirmedAt: at(30, 10).toISOString(), void: { reason: 'Wrong address', at: at(30, 11).toISOString() } }),
    ];
    await put(...rows);
    const later = new Date(2026, 11, 24, 12, 0);
    expect(await purgeExpired(later, { purgeAfterHours: 0, shiftEndedAt: later.toISOString() })).toBe(0);
    expect(await endShift(later)).toBe(0);
    for (const r of rows) expect(await stored(r.seq)).toEqual(r);
  });

  it('purges an acknowledged void but keeps it voided (it counts as voided, not confirmed)', async () => {
    const voided = await row(1, at(30, 9), {
      state: 'voided',
      confirmedAt: at(30, 10).toISOString(),
      void: { reason: 'Signed twice', at: at(30, 11).toISOString() },
      voidConfirmedAt: at(30, 12).toISOString(),
    });
    await put(voided);
    expect(await purgeExpired(at(30, 13), { purgeAfterHours: 2 })).toBe(0); // 2 h after the void's acknowledgement
    expect(await purgeExpired(at(30, 14), { purgeAfterHours: 2 })).toBe(1);
    expectPurgedFrom(await stored(1), voided, 'voided');
  });

  it('leaves today’s counts, the device’s totals and the receipt code as they were', async () => {
    const now = new Date();
    const earlier = new Date(now.getTime() - 60_000);
    await put(
      await row(1, earlier, confirmedAt(earlier)),
      await row(2, earlier, confirmedAt(earlier)),
      await row(3, earlier),
      await row(4, earlier, { state: 'rejected', rejection: { code: 'invalid_field', message: 'x' } }),
      await row(5, earlier, {
        state: 'voided',
        confirmedAt: earlier.toISOString(),
        void: { reason: 'r', at: earlier.toISOString() },
        voidConfirmedAt: earlier.toISOString(),
      }),
    );
    const figures = async () => {
      const rows = await db.signatures.toArray();
      const held = rows.filter((r) => r.confirmedAt !== undefined).map((r) => ({ digest: r.digest, voided: r.state === 'voided' }));
      return {
        today: await first(todayCounts$()),
        device: await deviceCounts(),
        receipt: await receiptCodeOf(held),
        ids: rows.map((r) => [r.id, r.seq, r.digest]),
      };
    };
    const before = await figures();
    expect(before.today).toEqual({ savedToday: 5, confirmedToday: 2, waiting: 1, rejected: 1 });
    expect(await purgeExpired(now, { purgeAfterHours: 0 })).toBe(3);
    expect(await figures()).toEqual(before);
  });
});

describe('purging after a sync, reading only the rows that can be due', () => {
  /** Rows in every situation a purge weighs, one of them captured while the tablet's clock ran two days ahead. */
  const rows = async () => [
    await row(1, at(30, 9), confirmedAt(at(30, 10))),
    await row(2, at(30, 17), confirmedAt(at(30, 18))),
    await row(3, at(29, 15), confirmedAt(at(29, 16))), // yesterday's
    await row(4, at(30, 11)), // waiting
    await row(5, new Date(2026, 11, 2, 9, 0), confirmedAt(at(30, 10))), // captured "in two days", the clock set right since
    await row(6, at(30, 9), {
      state: 'voided',
      confirmedAt: at(30, 10).toISOString(),
      void: { reason: 'Signed twice', at: at(30, 11).toISOString() },
      voidConfirmedAt: at(30, 12).toISOString(),
    }),
  ];
  /** The sequence numbers still holding their signer after `purge` ran on a fresh copy of the rows. */
  const holdingAfter = async (purge: () => Promise<number>) => {
    await db.signatures.clear();
    await put(...(await rows()));
    const purgedCount = await purge();
    const holding = (await db.signatures.toArray()).filter((r) => r.sealed !== undefined).map((r) => r.seq);
    return { purgedCount, holding };
  };
  const cases: [string, Date, Retention, number[]][] = [
    ['purgeAfterHours 0', at(30, 12), { purgeAfterHours: 0 }, [2, 4]],
    ['purgeAfterHours 2', at(30, 12), { purgeAfterHours: 2 }, [2, 4, 6]],
    ['the shift ended', at(30, 12), { shiftEndedAt: at(30, 11).toISOString() }, [2, 4, 5]],
    ['past midnight', new Date(2026, 11, 1, 1, 0), {}, [4]],
  ];
  for (const [name, now, retention, stillHolding] of cases) {
    it(`purges what the full pass purges: ${name}`, async () => {
      const full = await holdingAfter(() => purgeExpired(now, retention));
      const afterSync = await holdingAfter(() => purgeAfterSync(now, retention));
      expect(full.holding).toEqual(stillHolding);
      expect(afterSync).toEqual(full);
    });
  }

  it('leaves to the full pass only a row whose clock was set back between capture and confirmation by less than the time since', async () => {
    // Captured at 00:30 by a clock running ahead, confirmed at 23:50 the evening before by the corrected one.
    await put(await row(1, new Date(2026, 11, 1, 0, 30), confirmedAt(at(30, 23, 50))));
    const now = new Date(2026, 11, 1, 1, 0);
    expect(await purgeAfterSync(now, {})).toBe(0);
    expect(await purgeExpired(now, {})).toBe(1);
    expect(await holds(1)).toBe(false);
  });
});

describe('wiping a revoked tablet', () => {
  it('purges every confirmed payload at once and keeps what the server does not hold, sealed', async () => {
    const now = new Date();
    const confirmed = await row(1, now, confirmedAt(now));
    const voidWaiting = await row(2, now, { state: 'voided', confirmedAt: now.toISOString(), void: { reason: 'r', at: now.toISOString() } });
    const pending = await row(3, now);
    const rejected = await row(4, now, { state: 'rejected', rejection: { code: 'invalid_field', message: 'x' } });
    await put(confirmed, voidWaiting, pending, rejected);
    expect(await wipeConfirmed()).toEqual({ wiped: 2, keptSealed: 2 });
    expectPurgedFrom(await stored(1), confirmed);
    expectPurgedFrom(await stored(2), voidWaiting, 'voided');
    expect(await stored(3)).toEqual(pending);
    expect(await stored(4)).toEqual(rejected);
  });

  it('happens when a sync is answered 403 device_revoked, and the sync says so; another 403 wipes nothing', async () => {
    await enroll();
    const now = new Date();
    const confirmed = await row(1, now, confirmedAt(now));
    const pending = await row(2, now);
    await put(confirmed, pending);

    const proxyRefusal = async () => new Response('<h1>Forbidden</h1>', { status: 403 });
    await expect(syncOnce({ appVersion: 'test', fetch: proxyRefusal as typeof fetch })).rejects.toMatchObject({ kind: 'device_revoked' });
    expect(await holds(1)).toBe(true);

    const revoked = async () =>
      new Response(JSON.stringify({ error: { code: 'device_revoked', message: 'This device was removed from the drive' } }), {
        status: 403,
        headers: { 'content-type': 'application/json' },
      });
    const failure = await syncOnce({ appVersion: 'test', fetch: revoked as typeof fetch }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DeviceRevoked);
    expect((failure as Error).message).toBe(
      'This tablet was revoked: the signatures the server confirmed are erased from it; 1 not yet delivered stays on it, sealed. Stop collecting and hand the tablet to your lead.',
    );
    expectPurgedFrom(await stored(1), confirmed);
    expect(await stored(2)).toEqual(pending);
  });
});

describe('the sync purges after applying its answers', () => {
  it('with purgeAfterHours 0 a confirmed record leaves the tablet in the sync that confirmed it', async () => {
    await enroll({ purgeAfterHours: 0 });
    const pending = await row(1, new Date());
    await put(pending);
    const server = async (_url: string, init: RequestInit) => {
      const batch = JSON.parse(init.body as string) as BatchRequest;
      const answer: BatchResponse = {
        protocol: PROTOCOL_VERSION,
        results: batch.records.map((r) => ({ id: r.id, status: 'stored' })),
        receipt: {
          deviceId: 'device-1',
          received: 1,
          capturedThrough: 1,
          contiguousThrough: 1,
          missing: [],
          missingCount: 0,
          voided: 0,
          code: 'AAAA-BBBB',
          complete: true,
        },
      };
      return new Response(JSON.stringify(answer), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const report = await syncOnce({ appVersion: 'test', fetch: server as unknown as typeof fetch });
    expect(report).toMatchObject({ confirmed: 1 });
    const after = await stored(1);
    expect(after.state).toBe('purged');
    expectPurgedFrom(after, { ...pending, confirmedAt: after.confirmedAt });
  });
});

async function enroll(drive: Partial<DriveInfo> = {}) {
  await saveEnrollment({ deviceId: 'device-1', token: 't'.repeat(32), driveId: 'drive-1', enrolledAt: new Date().toISOString(), persisted: false });
  await saveDrive({ id: 'drive-1', title: 'Drive', goal: 10, petitions: [], sealKey: (await testDriveKey()).publicKey, ...drive });
  await clearDraft();
}

function first<T>(observable: Observable<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const sub = observable.subscribe({
      next: (value) => {
        resolve(value);
        queueMicrotask(() => sub.unsubscribe());
      },
      error: reject,
    });
  });
}
