// The dashboard at scale: 1,000,000 signatures from 100 devices on one drive, on SQLite and on a
// throwaway PostgreSQL 15. Measures p95 of every dashboard figure for the drive (what GET
// /dashboard and each live update compute), against the same figures grouped straight from the
// signatures table (the naive way, without the tallies of migration 0003) in the same run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Insertable, type Kysely } from 'kysely';
import { openDatabase, type DatabaseHandle } from '../../src/server/db/connect';
import { dashboardFromSignatures, dashboardOf } from '../../src/server/db/dashboard';
import { createDrive } from '../../src/server/db/drives';
import { migrateToLatest } from '../../src/server/db/migrations';
import type { Database } from '../../src/server/db/schema';
import { startCluster } from '../postgres/cluster';
import { percentile, type Metric } from './metric';

const SIGNATURES = Number(process.env.BENCH_SIGNATURES ?? 1_000_000);
const DEVICES = 100;
const DAYS = 35;
const RUNS = 30;
const BASELINE_RUNS = 5;
const CITIES = [
  'Springfield',
  'Shelbyville',
  'Capital City',
  'Ogdenville',
  'North Haverbrook',
  'Brockway',
  'Cypress Creek',
  'Waverly Hills',
  'Ashland',
  'Riverton',
];
/** Device 0 has not delivered these: the dashboard must find them (the slow path of completeness). */
const UNDELIVERED = new Set([17, Math.floor(SIGNATURES / DEVICES / 2), SIGNATURES / DEVICES - 1]);

type SignatureRow = Insertable<Database['signatures']>;
const COLUMNS = [
  'id',
  'device_id',
  'seq',
  'drive_id',
  'petition_version',
  'language',
  'volunteer',
  'captured_at',
  'city',
  'state',
  'sealed',
  'digest',
  'received_at',
] as const;

/** SQLite: multi-row INSERTs (at most 32,766 bound values: 1,000 rows of 12 columns). */
async function insertRows(db: Kysely<Database>, rows: SignatureRow[]): Promise<void> {
  await db.insertInto('signatures').values(rows).execute();
}

/** PostgreSQL: one array per column, unnested into rows: one statement of 12 parameters per batch. */
async function insertUnnested(db: Kysely<Database>, rows: SignatureRow[]): Promise<void> {
  const arrays = COLUMNS.map((c) => sql`${rows.map((r) => r[c])}::${sql.raw(c === 'seq' ? 'integer[]' : 'text[]')}`);
  await sql`INSERT INTO signatures (${sql.join(COLUMNS.map((c) => sql.ref(c)))}) SELECT * FROM unnest(${sql.join(arrays)})`.execute(db);
}

async function load(
  db: Kysely<Database>,
  rowsPerInsert: number,
  insert: (db: Kysely<Database>, rows: SignatureRow[]) => Promise<void>,
): Promise<{ driveId: string; loadSeconds: number }> {
  const drive = await createDrive(db, {
    passphrase: 'bench drive passphrase',
    title: 'Bench drive',
    goal: 1_000_000,
    petitions: [
      { language: 'en', title: 'Bench', text: 'We ask for benches in every park.' },
      { language: 'es', title: 'Bancos', text: 'Pedimos bancos en cada parque.' },
    ],
  });
  const versions = drive.petitions.map((p) => ({ version: p.version, language: p.language }));
  const perDevice = SIGNATURES / DEVICES;
  const start = new Date('2026-10-01T00:00:00Z').getTime();
  await db
    .insertInto('devices')
    .values(
      Array.from({ length: DEVICES }, (_, d) => ({
        id: `device-${String(d).padStart(3, '0')}`,
        drive_id: drive.id,
        name: `Tablet ${d + 1}`,
        token_hash: `hash-${d}`,
        enrolled_at: new Date(start).toISOString(),
        last_sync_at: new Date(start + DAYS * 86_400_000).toISOString(),
        captured_through: perDevice,
        // What a live server keeps on the device row as it files each batch.
        received: d === 0 ? perDevice - UNDELIVERED.size : perDevice,
        waiting: d === 0 ? UNDELIVERED.size : 0,
        app_version: '0.1.0',
        storage_persisted: d % 2,
      })),
    )
    .execute();

  const began = performance.now();
  let batch: SignatureRow[] = [];
  const flush = async (trx: Kysely<Database>) => {
    if (batch.length) await insert(trx, batch);
    batch = [];
  };
  for (let d = 0; d < DEVICES; d++) {
    await db.transaction().execute(async (trx) => {
      for (let seq = 1; seq <= perDevice; seq++) {
        if (d === 0 && UNDELIVERED.has(seq)) continue;
        const day = Math.floor(((seq - 1) * DAYS) / perDevice);
        // A device works one city with one of its three volunteers per day; signers pick the language.
        const i = d * perDevice + seq;
        const version = versions[i % 5 === 0 ? 1 : 0]!;
        batch.push({
          id: `sig-${d}-${seq}`,
          device_id: `device-${String(d).padStart(3, '0')}`,
          seq,
          drive_id: drive.id,
          petition_version: version.version,
          language: version.language,
          volunteer: `Volunteer ${d}-${day % 3}`,
          captured_at: new Date(start + day * 86_400_000 + (seq % 600) * 60_000).toISOString(),
          city: CITIES[(d + day) % CITIES.length]!,
          state: 'IL',
          // Dashboard queries never read the sealed details; a short stand-in keeps the load quick.
          sealed: `S${i}`,
          digest: 'd'.repeat(64),
          received_at: new Date(start + day * 86_400_000 + 3_600_000).toISOString(),
        });
        if (batch.length >= rowsPerInsert) await flush(trx);
      }
      await flush(trx);
    });
  }
  // The tallies, built as migration 0003 backfills them (a live server adds one per stored record).
  await sql`INSERT INTO signature_tallies (drive_id, device_id, day, volunteer, city, state, petition_version, language, signatures)
    SELECT drive_id, device_id, substr(captured_at, 1, 10), volunteer, city, state, petition_version, language, count(*)
    FROM signatures GROUP BY drive_id, device_id, substr(captured_at, 1, 10), volunteer, city, state, petition_version, language`.execute(db);
  return { driveId: drive.id, loadSeconds: (performance.now() - began) / 1000 };
}

async function timed(runs: number, work: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await work();
    times.push(performance.now() - t);
  }
  return times;
}

async function measure(database: DatabaseHandle, log: (m: Metric) => void): Promise<void> {
  await migrateToLatest(database.db);
  const { driveId, loadSeconds } = database.kind === 'sqlite' ? await load(database.db, 1000, insertRows) : await load(database.db, 10_000, insertUnnested);
  if (database.kind === 'postgres') await sql`ANALYZE`.execute(database.db);
  const check = await dashboardOf(database.db, driveId);
  const expected = SIGNATURES - UNDELIVERED.size;
  if (check?.total !== expected || check.devices[0]?.missingCount !== UNDELIVERED.size)
    throw new Error(`dashboard is wrong: total ${check?.total}, expected ${expected}`);
  await timed(3, () => dashboardOf(database.db, driveId));
  const fast = await timed(RUNS, () => dashboardOf(database.db, driveId));
  const naive = await timed(BASELINE_RUNS, () => dashboardFromSignatures(database.db, driveId));
  const { n: tallyRows } = await database.db
    .selectFrom('signature_tallies')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  log({
    metric: `dashboard_query_ms_${database.kind}`,
    value: round(percentile(fast, 95)),
    unit: 'ms',
    baseline: round(percentile(naive, 95)),
    goal: '<= 200',
    baseline_is: 'the same figures grouped from the signatures table on every look (no tallies)',
    median_ms: round(percentile(fast, 50)),
    runs: RUNS,
    baseline_runs: BASELINE_RUNS,
    signatures: expected,
    devices: DEVICES,
    tally_rows: Number(tallyRows),
    load_seconds: round(loadSeconds),
    load_rows_per_second: Math.round(expected / loadSeconds),
  });
}

const round = (n: number) => Math.round(n * 10) / 10;

export default async function dashboardBench(log: (m: Metric) => void): Promise<void> {
  // BENCH_DATABASES=postgres (or sqlite) measures only one of them.
  const only = process.env.BENCH_DATABASES ?? 'sqlite,postgres';
  if (only.includes('sqlite')) {
    const dir = mkdtempSync(join(tmpdir(), 'fieldpen-bench-'));
    const sqlite = openDatabase({ file: join(dir, 'bench.sqlite') });
    try {
      await measure(sqlite, log);
    } finally {
      await sqlite.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (only.includes('postgres')) {
    const cluster = await startCluster();
    const pg = openDatabase({ url: cluster.url, poolSize: 4 });
    try {
      await measure(pg, log);
    } finally {
      await pg.close();
      cluster.stop();
    }
  }
}
