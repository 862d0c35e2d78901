// captureSignature writes straight to IndexedDB (past Dexie's transaction, for speed): the screens'
// live queries must still see every save, and a refused save must still write nothing.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceDB, useDeviceDb } from '../../src/storage/device-db';
import { captureSignature, savedTotal$, todayCounts$, type TodayCounts } from '../../src/storage/signatures';
import { sampleCaptureInput } from '../support/records';
import { keepTestDrive } from './tablet-drive';

let db: DeviceDB;
let n = 0;
beforeEach(async () => {
  db = new DeviceDB(`live-query-test-${++n}`);
  useDeviceDb(db);
  await keepTestDrive();
});
afterEach(async () => {
  db.close();
  await db.delete();
  useDeviceDb(undefined);
});

const input = sampleCaptureInput;

function until<T>(seen: T[], done: (c: T) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      if (seen.some(done)) return resolve();
      if (Date.now() - started > 5000) return reject(new Error(`live query never showed it: ${JSON.stringify(seen)}`));
      setTimeout(poll, 10);
    };
    poll();
  });
}

describe('the counts on screen after a save', () => {
  it('show each saved signature as saved today and waiting', async () => {
    const seen: TodayCounts[] = [];
    const subscription = todayCounts$().subscribe((c) => seen.push(c));
    try {
      await until(seen, (c) => c.savedToday === 0);
      await captureSignature(input(1));
      await until(seen, (c) => c.savedToday === 1 && c.waiting === 1);
      await captureSignature(input(2));
      await captureSignature(input(3));
      await until(seen, (c) => c.savedToday === 3 && c.waiting === 3);
    } finally {
      subscription.unsubscribe();
    }
  });

  it('leave nothing behind when a save is refused for a taken sequence number', async () => {
    const first = await captureSignature(input(1));
    // Another tab took sequence 2 behind this tab's back: the add fails, is retried with 3, and only that row exists.
    await db.signatures.add({ ...first, id: '019ac3f2-0000-7000-8000-000000000002', seq: 2 });
    const second = await captureSignature(input(2));
    expect(second.seq).toBe(3);
    expect((await db.signatures.orderBy('seq').toArray()).map((r) => r.seq)).toEqual([1, 2, 3]);
  });

  it('is committed when Save resolves, before live queries are told (they hear of it in the next task)', async () => {
    const totals: number[] = [];
    const subscription = savedTotal$().subscribe((t) => totals.push(t));
    try {
      await until(totals, (t) => t === 0);
      const saved = await captureSignature(input(1));
      // Another connection (another tab) reads the row at once: the add committed before Save resolved.
      const other = new DeviceDB(db.name);
      try {
        expect((await other.signatures.get(saved.id))?.seq).toBe(1);
      } finally {
        other.close();
      }
      // And the total on screen reaches it with nothing else written.
      await until(totals, (t) => t === 1);
      expect(totals.at(-1)).toBe(1);
    } finally {
      subscription.unsubscribe();
    }
  });
});
