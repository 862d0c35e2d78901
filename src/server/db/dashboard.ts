// Every figure of a drive's dashboard, from the tallies (not a scan of the signatures) so it stays
// fast at a million signatures. `dashboardFromSignatures` is the same figures the naive way: the
// benchmark's baseline and the tests' check that the tallies agree.
import { sql, type Kysely } from 'kysely';
import type { Dashboard, DeviceRow } from '../../shared/lead-api';
import { localDay } from '../../shared/local-day';
import { deviceReceipts } from './receipts';
import { minuteInstant, signaturesPerMinute } from './signatures';
import type { Database } from './schema';

type Figures = Pick<Dashboard, 'total' | 'perDay' | 'perVolunteer' | 'perCity' | 'perVersion'> & {
  perDevice: Map<string, { count: number; volunteers: string[] }>;
  /** Per device, signatures taken on the drive's today. */
  today: Map<string, number>;
};

export async function dashboardOf(db: Kysely<Database>, driveId: string, now = new Date()): Promise<Dashboard | undefined> {
  return assemble(db, driveId, now, (timeZone, today) => figures(db, driveId, 'signature_tallies', timeZone, today));
}

export async function dashboardFromSignatures(db: Kysely<Database>, driveId: string, now = new Date()): Promise<Dashboard | undefined> {
  return assemble(db, driveId, now, (timeZone, today) => figures(db, driveId, 'signatures', timeZone, today));
}

async function assemble(
  db: Kysely<Database>,
  driveId: string,
  now: Date,
  figures: (timeZone: string, today: string) => Promise<Figures>,
): Promise<Dashboard | undefined> {
  const row = await db.selectFrom('drives').select(['id', 'title', 'goal', 'deadline', 'time_zone']).where('id', '=', driveId).executeTakeFirst();
  if (!row) return undefined;
  const { time_zone: timeZone, ...drive } = row;
  const today = localDay(now.toISOString(), timeZone);
  const [counted, devices, rejected, conflicts, voided, receipts] = await Promise.all([
    figures(timeZone, today),
    db.selectFrom('devices').selectAll().where('drive_id', '=', driveId).orderBy('enrolled_at').orderBy('id').execute(),
    countPerDrive(db, 'rejections', driveId),
    countPerDrive(db, 'conflicts', driveId),
    countVoided(db, driveId),
    deviceReceipts(db, driveId),
  ]);
  // Complete or not is the device's receipt: the lead's table and the tablet's own screen agree.
  const receiptOf = new Map(receipts.map((r) => [r.deviceId, r]));
  const rows: DeviceRow[] = devices.map((d) => {
    const c = receiptOf.get(d.id)!;
    return {
      id: d.id,
      name: d.name,
      revoked: d.revoked_at !== null,
      volunteers: counted.perDevice.get(d.id)?.volunteers ?? [],
      lastSyncAt: d.last_sync_at,
      today: counted.today.get(d.id) ?? 0,
      waiting: d.waiting,
      capturedThrough: d.captured_through,
      received: c.received,
      missing: c.missing,
      missingCount: c.missingCount,
      complete: c.complete,
      appVersion: d.app_version,
      storagePersisted: d.storage_persisted === null ? null : d.storage_persisted === 1,
    };
  });
  const { perDevice: _perDevice, today: _today, total, ...rest } = counted;
  // A voided signature stays held (its device's receipt counts it) but no longer counts toward the goal.
  return {
    drive: { ...drive, timeZone },
    today,
    ...rest,
    perDay: withEmptyDays(rest.perDay),
    total: total - voided,
    voided,
    rejected,
    conflicts,
    devices: rows,
    generatedAt: now.toISOString(),
  };
}

const DAY_MS = 86_400_000;
/** A chart longer than this (a tablet's clock set years off) shows only the days with signatures. */
const MAX_CHART_DAYS = 400;

/** Every day from the first with signatures through the last, zero where none. */
export function withEmptyDays(days: readonly { day: string; count: number }[]): { day: string; count: number }[] {
  if (days.length === 0) return [];
  const first = Date.parse(`${days[0]!.day}T00:00:00Z`);
  const last = Date.parse(`${days[days.length - 1]!.day}T00:00:00Z`);
  if (!Number.isFinite(first) || !Number.isFinite(last) || (last - first) / DAY_MS > MAX_CHART_DAYS) return [...days];
  const counts = new Map(days.map((d) => [d.day, d.count]));
  const out: { day: string; count: number }[] = [];
  // Calendar days, walked in UTC: no daylight-saving hour in between.
  for (let t = first; t <= last; t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    out.push({ day, count: counts.get(day) ?? 0 });
  }
  return out;
}

/** Voided signatures of the drive, through a partial index that holds only them. */
async function countVoided(db: Kysely<Database>, driveId: string): Promise<number> {
  const { n } = await db
    .selectFrom('signatures')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('drive_id', '=', driveId)
    .where('voided_at', 'is not', null)
    .executeTakeFirstOrThrow();
  return Number(n);
}

async function countPerDrive(db: Kysely<Database>, table: 'rejections' | 'conflicts', driveId: string): Promise<number> {
  const { n } = await db
    .selectFrom(table)
    .innerJoin('devices', 'devices.id', `${table}.device_id`)
    .select((eb) => eb.fn.countAll().as('n'))
    .where('devices.drive_id', '=', driveId)
    .executeTakeFirstOrThrow();
  return Number(n);
}

const byCountThenName =
  <T extends { count: number }>(key: (row: T) => string) =>
  (a: T, b: T) =>
    b.count - a.count || key(a).localeCompare(key(b));

type Source = 'signature_tallies' | 'signatures';

/**
 * The same four GROUP BYs over either table: the tallies hold a few rows per device and day, the
 * signatures one row per signer. Nothing but the table and the count expression differs.
 */
async function figures(db: Kysely<Database>, driveId: string, source: Source, timeZone: string, today: string): Promise<Figures> {
  const n = source === 'signature_tallies' ? sql<number>`sum(signatures)` : sql<number>`count(*)`;
  const table = sql.table(source);
  const run = <R>(query: ReturnType<typeof sql<R>>) => query.execute(db).then((r) => r.rows);
  // The tallies hold the local day; from the signatures it is worked out per captured minute.
  const byDay: Promise<{ days: { day: string; n: number }[]; today: { device_id: string; n: number }[] }> =
    source === 'signature_tallies'
      ? Promise.all([
          run(sql<{ day: string; n: number }>`SELECT day, ${n} AS n FROM ${table} WHERE drive_id = ${driveId} GROUP BY day`),
          run(
            sql<{ device_id: string; n: number }>`SELECT device_id, ${n} AS n FROM ${table} WHERE drive_id = ${driveId} AND day = ${today} GROUP BY device_id`,
          ),
        ]).then(([days, todays]) => ({ days, today: todays }))
      : signaturesPerMinute(db, driveId).then((rows) => {
          const perDay = new Map<string, number>();
          const perDeviceToday = new Map<string, number>();
          for (const r of rows) {
            const day = localDay(minuteInstant(r.minute), timeZone);
            perDay.set(day, (perDay.get(day) ?? 0) + Number(r.n));
            if (day === today) perDeviceToday.set(r.device_id, (perDeviceToday.get(r.device_id) ?? 0) + Number(r.n));
          }
          return {
            days: [...perDay].map(([day, count]) => ({ day, n: count })),
            today: [...perDeviceToday].map(([device_id, count]) => ({ device_id, n: count })),
          };
        });
  // Concurrent on PostgreSQL's pool; SQLite runs them one after another anyway.
  const [byDeviceAndVolunteer, { days: perDay, today: todayRows }, perCity, perVersion] = await Promise.all([
    run(sql<{ device_id: string; volunteer: string; n: number }>`
      SELECT device_id, volunteer, ${n} AS n FROM ${table} WHERE drive_id = ${driveId} GROUP BY device_id, volunteer`),
    byDay,
    run(sql<{ city: string; state: string; n: number }>`
      SELECT city, state, ${n} AS n FROM ${table} WHERE drive_id = ${driveId} GROUP BY city, state`),
    run(sql<{ petition_version: string; language: string; n: number }>`
      SELECT petition_version, language, ${n} AS n FROM ${table} WHERE drive_id = ${driveId} GROUP BY petition_version, language`),
  ]);

  const perDevice = new Map<string, { count: number; volunteers: string[] }>();
  const volunteers = new Map<string, number>();
  let total = 0;
  for (const r of byDeviceAndVolunteer) {
    const count = Number(r.n);
    total += count;
    volunteers.set(r.volunteer, (volunteers.get(r.volunteer) ?? 0) + count);
    const device = perDevice.get(r.device_id) ?? { count: 0, volunteers: [] };
    device.count += count;
    device.volunteers.push(r.volunteer);
    perDevice.set(r.device_id, device);
  }
  for (const d of perDevice.values()) d.volunteers.sort();
  return {
    total,
    perDay: perDay.map((r) => ({ day: r.day, count: Number(r.n) })).sort((a, b) => a.day.localeCompare(b.day)),
    perVolunteer: [...volunteers].map(([volunteer, count]) => ({ volunteer, count })).sort(byCountThenName((r) => r.volunteer)),
    perCity: perCity.map((r) => ({ city: r.city, state: r.state, count: Number(r.n) })).sort(byCountThenName((r) => `${r.city}, ${r.state}`)),
    perVersion: perVersion.map((r) => ({ version: r.petition_version, language: r.language, count: Number(r.n) })).sort(byCountThenName((r) => r.version)),
    perDevice,
    today: new Map(todayRows.map((r) => [r.device_id, Number(r.n)])),
  };
}
