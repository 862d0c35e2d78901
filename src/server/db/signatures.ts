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

/** How a batch reads what is held and files new records, inside its transaction `trx`. */
export interface BatchStatements {
  storedDigests(trx: Kysely<Database>, ids: readonly string[]): Promise<Map<string, string>>;
  idsAtSequences(trx: Kysely<Database>, deviceId: string, seqs: readonly number[]): Promise<Map<number, string>>;
  insertSignatures(trx: Kysely<Database>, records: readonly SignatureRecord[], timeZone: string, now: Date): Promise<void>;
}

const KYSELY_STATEMENTS: BatchStatements = { storedDigests, idsAtSequences, insertSignatures };

/**
 * The statements of a batch filed in a transaction `trx` of `db`. On SQLite, prepared statements run
 * straight on the connection that transaction holds: Kysely building a 250-value `in` list, and an
 * object per row to insert, were a good part of filing a batch (tests/bench/rush.bench.ts,
 * `ingest_cpu_vs_raw_sqlite`). SQLite caches each statement by its text (connect.ts).
 */
export function batchStatements(db: Kysely<Database>): BatchStatements {
  const sqlite = sqliteConnectionOf(db);
  if (!sqlite) return KYSELY_STATEMENTS;
  return {
    storedDigests: async (_trx, ids) => {
      const held = new Map<string, string>();
      for (const part of chunks([...new Set(ids)])) {
        const rows = sqlite.prepare(`select id, digest from signatures where id in (${placeholders(part.length)})`).all(part) as {
          id: string;
          digest: string;
        }[];
        for (const row of rows) held.set(row.id, row.digest);
      }
      return held;
    },
    idsAtSequences: async (_trx, deviceId, seqs) => {
      const held = new Map<number, string>();
      for (const part of chunks([...new Set(seqs)])) {
        const rows = sqlite
          .prepare(`select seq, id from signatures where device_id = ? and seq in (${placeholders(part.length)})`)
          .all([deviceId, ...part]) as { seq: number; id: string }[];
        for (const row of rows) held.set(Number(row.seq), row.id);
      }
      return held;
    },
    insertSignatures: async (trx, records, timeZone, now) => {
      insertRowsNow(sqlite, records, now.toISOString());
      await countInTallies(trx, records, timeZone);
    },
  };
}

const placeholders = (n: number) => '?,'.repeat(n - 1) + '?';

/** The columns signatureRow fills, in its order. */
const ROW_COLUMNS = 'id, device_id, seq, drive_id, petition_version, language, volunteer, captured_at, city, state, assisted_by, sealed, digest, received_at';

function insertRowsNow(sqlite: SqliteDatabase, records: readonly SignatureRecord[], receivedAt: string): void {
  if (records.length === 0) return;
  const insert = sqlite.prepare(`insert into signatures (${ROW_COLUMNS}) values (${placeholders(14)})`);
  for (const r of records) {
    // The values of signatureRow(r), in ROW_COLUMNS order, with no object built per row.
    insert.run([
      r.id,
      r.deviceId,
      r.seq,
      r.driveId,
      r.petition.version,
      r.petition.language,
      r.volunteer,
      r.capturedAt,
      r.place.city,
      r.place.state,
      r.assisted?.attestedBy ?? null,
      r.sealed,
      r.digest,
      receivedAt,
    ]);
  }
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
    const day = localDay(record.capturedAt, timeZone);
    // Joined by NUL, which none of these holds (names and cities refuse control characters, the rest
    // are ids, codes and digits): one string per record, and the tally's object only once per tally.
    const id = `${record.deviceId}\0${day}\0${record.volunteer}\0${record.place.city}\0${record.place.state}\0${record.petition.version}\0${record.petition.language}\0${record.driveId}`;
    const tally = tallies.get(id);
    if (tally) {
      tally.signatures++;
      continue;
    }
    tallies.set(id, {
      key: {
        drive_id: record.driveId,
        device_id: record.deviceId,
        day,
        volunteer: record.volunteer,
        city: record.place.city,
        state: record.place.state,
        petition_version: record.petition.version,
        language: record.petition.language,
      },
      signatures: 1,
    });
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
