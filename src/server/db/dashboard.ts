// Every figure of a drive's dashboard, from the tallies (not a scan of the signatures) so it stays
// fast at a million signatures. `dashboardFromSignatures` is the same figures the naive way: the
// benchmark's baseline and the tests' check that the tallies agree.
import type { Kysely } from 'kysely';
import type { Dashboard, DeviceRow, SignerRow } from '../../shared/lead-api';
import { deviceCompleteness } from './device-completeness';
import type { Database } from './schema';

type Figures = Pick<Dashboard, 'total' | 'perDay' | 'perVolunteer' | 'perCity' | 'perVersion'> & { perDevice: Map<string, { count: number; volunteers: string[] }> };

export async function dashboardOf(db: Kysely<Database>, driveId: string, now = new Date()): Promise<Dashboard | undefined> {
  return assemble(db, driveId, now, () => figuresFromTallies(db, driveId));
}

export async function dashboardFromSignatures(db: Kysely<Database>, driveId: string, now = new Date()): Promise<Dashboard | undefined> {
  return assemble(db, driveId, now, () => figuresFromSignatures(db, driveId));
}

async function assemble(db: Kysely<Database>, driveId: string, now: Date, figures: () => Promise<Figures>): Promise<Dashboard | undefined> {
  const drive = await db.selectFrom('drives').select(['id', 'title', 'goal', 'deadline']).where('id', '=', driveId).executeTakeFirst();
  if (!drive) return undefined;
  const [counted, devices, rejected, conflicts] = await Promise.all([
    figures(),
    db.selectFrom('devices').selectAll().where('drive_id', '=', driveId).orderBy('enrolled_at').orderBy('id').execute(),
    countPerDrive(db, 'rejections', driveId),
    countPerDrive(db, 'conflicts', driveId),
  ]);
  const holdings = devices.map((d) => ({ id: d.id, capturedThrough: d.captured_through, received: counted.perDevice.get(d.id)?.count ?? 0 }));
  const completeness = await deviceCompleteness(db, holdings);
  const rows: DeviceRow[] = devices.map((d) => {
    const c = completeness.get(d.id)!;
    return {
      id: d.id,
      name: d.name,
      revoked: d.revoked_at !== null,
      volunteers: counted.perDevice.get(d.id)?.volunteers ?? [],
      lastSyncAt: d.last_sync_at,
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
  const { perDevice: _perDevice, ...rest } = counted;
  // Voids reach the server with the sync issue's void records; until then none are held.
  return { drive, ...rest, voided: 0, rejected, conflicts, devices: rows, generatedAt: now.toISOString() };
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

const byCountThenName = <T extends { count: number }>(key: (row: T) => string) => (a: T, b: T) => b.count - a.count || key(a).localeCompare(key(b));

async function figuresFromTallies(db: Kysely<Database>, driveId: string): Promise<Figures> {
  const rows = await db
    .selectFrom('signature_tallies')
    .select(['device_id', 'day', 'volunteer', 'city', 'state', 'petition_version', 'language', 'signatures'])
    .where('drive_id', '=', driveId)
    .execute();
  return summarize(rows.map((r) => ({ ...r, n: r.signatures })));
}

/** The naive way: group the signatures themselves. */
async function figuresFromSignatures(db: Kysely<Database>, driveId: string): Promise<Figures> {
  const rows = await db
    .selectFrom('signatures')
    .select((eb) => [
      'device_id',
      eb.fn<string>('substr', ['captured_at', eb.val(1), eb.val(10)]).as('day'),
      'volunteer',
      'city',
      'state',
      'petition_version',
      'language',
      eb.fn.countAll<number>().as('n'),
    ])
    .where('drive_id', '=', driveId)
    .groupBy(['device_id', 'day', 'volunteer', 'city', 'state', 'petition_version', 'language'])
    .execute();
  return summarize(rows.map((r) => ({ ...r, n: Number(r.n) })));
}

interface Tally {
  device_id: string;
  day: string;
  volunteer: string;
  city: string;
  state: string;
  petition_version: string;
  language: string;
  n: number;
}

function summarize(rows: readonly Tally[]): Figures {
  const add = <K>(map: Map<K, number>, key: K, n: number) => map.set(key, (map.get(key) ?? 0) + n);
  const days = new Map<string, number>();
  const volunteers = new Map<string, number>();
  const cities = new Map<string, number>();
  const versions = new Map<string, number>();
  const perDevice = new Map<string, { count: number; volunteers: string[] }>();
  let total = 0;
  for (const r of rows) {
    total += r.n;
    add(days, r.day, r.n);
    add(volunteers, r.volunteer, r.n);
    add(cities, JSON.stringify([r.city, r.state]), r.n);
    add(versions, JSON.stringify([r.petition_version, r.language]), r.n);
    const device = perDevice.get(r.device_id) ?? { count: 0, volunteers: [] };
    device.count += r.n;
    if (!device.volunteers.includes(r.volunteer)) device.volunteers.push(r.volunteer);
    perDevice.set(r.device_id, device);
  }
  for (const d of perDevice.values()) d.volunteers.sort();
  return {
    total,
    perDay: [...days].map(([day, count]) => ({ day, count })).sort((a, b) => a.day.localeCompare(b.day)),
    perVolunteer: [...volunteers].map(([volunteer, count]) => ({ volunteer, count })).sort(byCountThenName((r) => r.volunteer)),
    perCity: [...cities]
      .map(([key, count]) => {
        const [city, state] = JSON.parse(key) as [string, string];
        return { city, state, count };
      })
      .sort(byCountThenName((r) => `${r.city}, ${r.state}`)),
    perVersion: [...versions]
      .map(([key, count]) => {
        const [version, language] = JSON.parse(key) as [string, string];
        return { version, language, count };
      })
      .sort(byCountThenName((r) => r.version)),
    perDevice,
  };
}

/** The latest signers of a drive, details included: only for signed-in leads and organizers. */
export async function recentSigners(db: Kysely<Database>, driveId: string, limit: number): Promise<SignerRow[]> {
  const rows = await db
    .selectFrom('signatures')
    .innerJoin('devices', 'devices.id', 'signatures.device_id')
    .select([
      'signatures.id',
      'signatures.seq',
      'devices.name as deviceName',
      'signatures.volunteer',
      'signatures.captured_at',
      'signatures.given_name',
      'signatures.family_name',
      'signatures.street',
      'signatures.city',
      'signatures.state',
      'signatures.zip',
      'signatures.email',
    ])
    .where('signatures.drive_id', '=', driveId)
    .orderBy('signatures.received_at', 'desc')
    .orderBy('signatures.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    seq: r.seq,
    deviceName: r.deviceName,
    volunteer: r.volunteer,
    capturedAt: r.captured_at,
    givenName: r.given_name,
    familyName: r.family_name,
    street: r.street,
    city: r.city,
    state: r.state,
    zip: r.zip,
    email: r.email,
  }));
}
