// Is everything a device captured on the server? The one place the dashboard asks; swap it for the
// per-device receipts of src/server/db/receipts.ts (sync issue) when those land.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema';

/** The dashboard lists at most this many missing sequence numbers per device (and counts them all). */
export const MISSING_LISTED = 50;

export interface Completeness {
  received: number;
  missing: number[];
  missingCount: number;
  complete: boolean;
}

export interface DeviceHolding {
  id: string;
  capturedThrough: number;
  /** Signatures of the device the server holds (from the tallies). */
  received: number;
}

/**
 * Sequence numbers are unique per device and start at 1: when the server holds as many as the device
 * captured and none above, it holds exactly 1..capturedThrough. Only devices that fail this cheap test
 * (one index lookup) have their sequence numbers read to find the gaps.
 */
export async function deviceCompleteness(db: Kysely<Database>, devices: readonly DeviceHolding[]): Promise<Map<string, Completeness>> {
  const result = new Map<string, Completeness>();
  if (devices.length === 0) return result;
  // One statement, one index seek per device on (device_id, seq): no scan of the signatures.
  const tops = await db
    .selectFrom('devices as d')
    .select((eb) => ['d.id', eb.selectFrom('signatures as s').select((s) => s.fn.max('s.seq').as('m')).whereRef('s.device_id', '=', 'd.id').as('top')])
    .where('d.id', 'in', devices.map((d) => d.id))
    .execute();
  const highest = new Map(tops.map((t) => [t.id, Number(t.top ?? 0)]));
  for (const device of devices) {
    if (device.received === device.capturedThrough && (highest.get(device.id) ?? 0) <= device.capturedThrough) {
      result.set(device.id, { received: device.received, missing: [], missingCount: 0, complete: true });
      continue;
    }
    result.set(device.id, { received: device.received, ...(await gaps(db, device.id, device.capturedThrough)) });
  }
  return result;
}

async function gaps(db: Kysely<Database>, deviceId: string, capturedThrough: number): Promise<Omit<Completeness, 'received'>> {
  // Only the holes leave the database: each held number followed by a jump, from a window over the
  // device's (device_id, seq) index. Sentinels 0 and capturedThrough + 1 catch holes at either end.
  const held = db
    .selectFrom('signatures')
    .select('seq')
    .where('device_id', '=', deviceId)
    .where('seq', '<=', capturedThrough)
    .unionAll(db.selectNoFrom((eb) => eb.val(0).as('seq')))
    .unionAll(db.selectNoFrom((eb) => eb.val(capturedThrough + 1).as('seq')));
  const jumps = await db
    .selectFrom(
      db
        .selectFrom(held.as('held'))
        .select((eb) => ['seq', sql<number>`lead(seq) over (order by seq)`.as('next')])
        .as('ordered'),
    )
    .select(['seq', 'next'])
    .where(sql<boolean>`next - seq > 1`)
    .orderBy('seq')
    .execute();
  const missing: number[] = [];
  let missingCount = 0;
  for (const { seq, next } of jumps) {
    const from = Number(seq) + 1;
    const to = Number(next) - 1;
    missingCount += to - from + 1;
    for (let s = from; s <= to && missing.length < MISSING_LISTED; s++) missing.push(s);
  }
  return { missing, missingCount, complete: missingCount === 0 };
}
