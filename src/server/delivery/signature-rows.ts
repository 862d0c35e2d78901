// The drive's signatures read in order, a page at a time: keyset pagination on the record id (the
// primary key, so every page is an index range on SQLite and PostgreSQL alike, and a build never
// holds more than a page of rows). Ids are UUIDv7 made when the signature was taken, so id order is
// the order of signing.
import { sql, SqliteAdapter, type Kysely } from 'kysely';
import type { Database } from '../db/schema';

/** A signature as the delivery reads it: no volunteer, no device, no location. */
export interface SignatureRow {
  id: string;
  petition_version: string;
  language: string;
  captured_at: string;
  given_name: string;
  family_name: string;
  street: string;
  city: string;
  state: string;
  zip: string;
  email: string | null;
  digest: string;
  /** Signed with assistance (who attested it stays with the campaign). */
  assisted: boolean;
  voided: boolean;
  void_reason: string | null;
  /** Only when asked for: the encoded strokes. */
  autograph?: string;
}

export interface RowFilter {
  /**
   * The snapshot a build reads: rows received by then, voids received by then. Tablets keep
   * syncing while a build runs; both passes must see the same signatures.
   */
  asOf: string;
  state?: string;
  petitionVersion?: string;
  withAutograph?: boolean;
  /** Rows per query; a page of rows with autographs is about 1 KB each. */
  pageSize?: number;
}

export async function* signatureRows(db: Kysely<Database>, driveId: string, filter: RowFilter): AsyncGenerator<SignatureRow> {
  const pageSize = filter.pageSize ?? (filter.withAutograph ? 500 : 2000);
  // SQLite would take the (drive_id, received_at) index and sort the drive's every row for each
  // page; a unary plus keeps it on the primary key's range (PostgreSQL's planner needs no hint).
  const driveColumn = db.getExecutor().adapter instanceof SqliteAdapter ? sql<string>`+drive_id` : sql<string>`drive_id`;
  let after = '';
  for (;;) {
    let query = db
      .selectFrom('signatures')
      .select([
        'id',
        'petition_version',
        'language',
        'captured_at',
        'given_name',
        'family_name',
        'street',
        'city',
        'state',
        'zip',
        'email',
        'digest',
        'assisted_by',
        'void_received_at',
        'void_reason',
      ])
      .where(driveColumn, '=', driveId)
      .where('id', '>', after)
      .where('received_at', '<=', filter.asOf);
    if (filter.state !== undefined) query = query.where('state', '=', filter.state);
    if (filter.petitionVersion !== undefined) query = query.where('petition_version', '=', filter.petitionVersion);
    const page = filter.withAutograph
      ? await query.select('autograph').orderBy('id').limit(pageSize).execute()
      : await query.orderBy('id').limit(pageSize).execute();
    for (const row of page) {
      const { assisted_by, void_received_at, void_reason, ...rest } = row;
      const voided = void_received_at !== null && void_received_at <= filter.asOf;
      yield { ...rest, assisted: assisted_by !== null, voided, void_reason: voided ? void_reason : null };
    }
    if (page.length < pageSize) return;
    after = page[page.length - 1]!.id;
  }
}
