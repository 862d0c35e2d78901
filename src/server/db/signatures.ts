// Signatures as the server holds them: one row per record id, one record per (device, seq).
import { sql, type Kysely, type SqliteDatabase } from 'kysely';
import { localDay } from '../../shared/local-day';
import type { SignatureRecord } from '../../shared/schema';
import { sqliteConnectionOf } from './connect';
import type { Database, SignatureTalliesTable } from './schema';

export async function storedDigest(db: Kysely<Database>, id: string): Promise<string | undefined> {
  const row = await db.selectFrom('signatures').select('digest').where('id', '=', id).executeTakeFirst();
  return row?.digest;
}

/** The id of the record already holding this device's sequence number, if any. */
export async function idAtSequence(db: Kysely<Database>, deviceId: string, seq: number): Promise<string | undefined> {
  const row = await db.selectFrom('signatures').select('id').where('device_id', '=', deviceId).where('seq', '=', seq).executeTakeFirst();
  return row?.id;
}

export function insertSignature(db: Kysely<Database>, record: SignatureRecord, timeZone: string, now = new Date()): Promise<void> {
  return insertSignatures(db, [record], timeZone, now);
}

// ── a whole batch at a time ──────────────────────────────────────────────────
// A query per record was most of the time a batch took to file (tests/bench/ingest.bench.ts): these
// read and write a batch in a few statements.

/** Rows per statement: 19 parameters a row stays far below SQLite's and PostgreSQL's limits. */
const ROWS_PER_STATEMENT = 250;

function chunks<T>(items: readonly T[], size = ROWS_PER_STATEMENT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The digest of each of these ids the server holds. */
export async function storedDigests(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, string>> {
  const held = new Map<string, string>();
  for (const part of chunks([...new Set(ids)])) {
    const rows = await db.selectFrom('signatures').select(['id', 'digest']).where('id', 'in', part).execute();
    for (const row of rows) held.set(row.id, row.digest);
  }
  return held;
}

/** The id of the record holding each of these sequence numbers of the device, where one does. */
export async function idsAtSequences(db: Kysely<Database>, deviceId: string, seqs: readonly number[]): Promise<Map<number, string>> {
  const held = new Map<number, string>();
  for (const part of chunks([...new Set(seqs)])) {
    const rows = await db.selectFrom('signatures').select(['seq', 'id']).where('device_id', '=', deviceId).where('seq', 'in', part).execute();
    for (const row of rows) held.set(Number(row.seq), row.id);
  }
  return held;
}

/**
 * Store new records and count them in the dashboard's tallies, by their day in the drive's `timeZone`;
 * call inside the batch's transaction.
 */
export async function insertSignatures(db: Kysely<Database>, records: readonly SignatureRecord[], timeZone: string, now = new Date()): Promise<void> {
  for (const part of chunks(records)) {
    await db
      .insertInto('signatures')
      .values(part.map((r) => signatureRow(r, now)))
      .execute();
  }
  await countInTallies(db, records, timeZone);
}

export type SignatureWriter = (trx: Kysely<Database>, records: readonly SignatureRecord[], timeZone: string, now: Date) => Promise<void>;

/**
 * insertSignatures for a batch filed in a transaction `trx` of `db`. On SQLite a prepared one-row
 * insert per record, on the connection that transaction holds: Kysely building, and SQLite planning,
 * 250-row inserts cost about three times as much (tests/bench/ingest.bench.ts).
 */
export function signatureWriter(db: Kysely<Database>): SignatureWriter {
  const sqlite = sqliteConnectionOf(db);
  if (!sqlite) return insertSignatures;
  return async (trx, records, timeZone, now) => {
    insertRowsNow(
      sqlite,
      records.map((r) => signatureRow(r, now)),
    );
    await countInTallies(trx, records, timeZone);
  };
}

function insertRowsNow(sqlite: SqliteDatabase, rows: readonly ReturnType<typeof signatureRow>[]): void {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const insert = sqlite.prepare(`insert into signatures (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`);
  for (const row of rows) insert.run(Object.values(row));
}

/**
 * The row a record becomes: the sealed details exactly as received, the clear signer columns empty
 * (only rows filed before protocol 2 hold them). Exported for tests that build a database by hand.
 */
export function signatureRow(record: SignatureRecord, now: Date) {
  return {
    id: record.id,
    device_id: record.deviceId,
    seq: record.seq,
    drive_id: record.driveId,
    petition_version: record.petition.version,
    language: record.petition.language,
    volunteer: record.volunteer,
    captured_at: record.capturedAt,
    city: record.place.city,
    state: record.place.state,
    assisted_by: record.assisted?.attestedBy ?? null,
    sealed: record.sealed,
    digest: record.digest,
    received_at: now.toISOString(),
  };
}

export interface HeldSignature {
  id: string;
  seq: number;
  digest: string;
  voided: boolean;
}

export async function heldSignature(db: Kysely<Database>, deviceId: string, id: string): Promise<HeldSignature | undefined> {
  const row = await db
    .selectFrom('signatures')
    .select(['id', 'seq', 'digest', 'voided_at'])
    .where('id', '=', id)
    .where('device_id', '=', deviceId)
    .executeTakeFirst();
  return row && { id: row.id, seq: row.seq, digest: row.digest, voided: row.voided_at !== null };
}

/** Mark a held signature voided; the row and its sequence number stay. */
export async function markVoided(db: Kysely<Database>, id: string, void_: { reason: string; voidedAt: string }, now = new Date()): Promise<void> {
  await db
    .updateTable('signatures')
    .set({ void_reason: void_.reason, voided_at: void_.voidedAt, void_received_at: now.toISOString() })
    .where('id', '=', id)
    .where('voided_at', 'is', null)
    .execute();
}

/** Add the records to the dashboard's tallies, one upsert per tally they fall in. */
async function countInTallies(db: Kysely<Database>, records: readonly SignatureRecord[], timeZone: string): Promise<void> {
  const tallies = new Map<string, { key: TallyKey; signatures: number }>();
  for (const record of records) {
    const key: TallyKey = {
      drive_id: record.driveId,
      device_id: record.deviceId,
      day: localDay(record.capturedAt, timeZone),
      volunteer: record.volunteer,
      city: record.place.city,
      state: record.place.state,
      petition_version: record.petition.version,
      language: record.petition.language,
    };
    const id = JSON.stringify(Object.values(key));
    const tally = tallies.get(id) ?? { key, signatures: 0 };
    tally.signatures++;
    tallies.set(id, tally);
  }
  for (const { key, signatures } of tallies.values()) {
    await db
      .insertInto('signature_tallies')
      .values({ ...key, signatures })
      .onConflict((oc) =>
        oc
          .columns(['drive_id', 'device_id', 'day', 'volunteer', 'city', 'state', 'petition_version', 'language'])
          .doUpdateSet((eb) => ({ signatures: eb('signature_tallies.signatures', '+', signatures) })),
      )
      .execute();
  }
}

/** Everything a tally is grouped by. */
type TallyKey = Omit<SignatureTalliesTable, 'signatures'>;

/**
 * When a signature was captured, to the minute: every zone's offset is whole minutes, so a group of
 * one UTC minute falls on one local day in any zone. A timestamp sent with an offset stays whole.
 */
const CAPTURED_MINUTE = sql<string>`CASE WHEN captured_at LIKE '%Z' THEN substr(captured_at, 1, 16) ELSE captured_at END`;

/** A UTC instant `localDay` reads, from a CAPTURED_MINUTE value. */
export function minuteInstant(minute: string): string {
  return minute.length === 16 ? `${minute}:00Z` : minute;
}

/** A drive's signatures counted per captured minute and everything a tally is grouped by. */
export async function signaturesPerMinute(db: Kysely<Database>, driveId: string) {
  const { rows } = await sql<Omit<TallyKey, 'day'> & { minute: string; n: number | string }>`
    SELECT drive_id, device_id, ${CAPTURED_MINUTE} AS minute, volunteer, city, state, petition_version, language, count(*) AS n
    FROM signatures WHERE drive_id = ${driveId}
    GROUP BY drive_id, device_id, ${CAPTURED_MINUTE}, volunteer, city, state, petition_version, language`.execute(db);
  return rows;
}

/** Count a drive's tallies again from its signatures, by the days of `timeZone` (its zone changed). */
export async function recountTallies(trx: Kysely<Database>, driveId: string, timeZone: string): Promise<void> {
  const tallies = new Map<string, SignatureTalliesTable>();
  for (const g of await signaturesPerMinute(trx, driveId)) {
    const { minute, n, ...rest } = g;
    const key: TallyKey = { ...rest, day: localDay(minuteInstant(minute), timeZone) };
    const id = JSON.stringify([key.drive_id, key.device_id, key.day, key.volunteer, key.city, key.state, key.petition_version, key.language]);
    const tally = tallies.get(id) ?? { ...key, signatures: 0 };
    tally.signatures += Number(n);
    tallies.set(id, tally);
  }
  await trx.deleteFrom('signature_tallies').where('drive_id', '=', driveId).execute();
  for (const part of chunks([...tallies.values()])) await trx.insertInto('signature_tallies').values(part).execute();
}
