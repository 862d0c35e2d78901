// The drive's signatures read in order, a page at a time: keyset pagination on the record id (the
// primary key, so every page is an index range on SQLite and PostgreSQL alike, and a build never
// holds more than a page of rows). Ids are UUIDv7 made when the signature was taken, so id order is
// the order of signing. Every row is opened with the drive's unlocked key as it is taken, synchronously
// with the node:crypto opener (src/server/signer-open.ts). A build reads the drive once: its sheets
// read back what the selection opened (opened-spool.ts).
import { sql, SqliteAdapter, type Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { openerOf, openSignatureWith, UnreadableSignature } from '../signer-access';

/** A signature as the delivery reads it, opened: no volunteer, no device, no location. */
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
  /**
   * Why the record cannot be delivered when its details do not open with the drive key, fail the
   * shared schema or disagree with its clear city and state; its signer fields are then empty.
   */
  unreadable: string | null;
}

export interface RowFilter {
  /** The drive's unlocked private key: every sealed row is opened with it. */
  key: CryptoKey;
  /**
   * The snapshot a build reads: rows received by then, voids received by then. Tablets keep
   * syncing while a build runs; both passes must see the same signatures.
   */
  asOf: string;
  state?: string;
  petitionVersion?: string;
  withAutograph?: boolean;
  /** Rows per query; a page of rows with autographs is about 1 KB each (and its sealed payloads about 1.4 KB). */
  pageSize?: number;
}

export async function* signatureRows(db: Kysely<Database>, driveId: string, filter: RowFilter): AsyncGenerator<SignatureRow> {
  const pageSize = filter.pageSize ?? 500;
  // SQLite would take the (drive_id, received_at) index and sort the drive's every row for each
  // page; a unary plus keeps it on the primary key's range (PostgreSQL's planner needs no hint).
  const driveColumn = db.getExecutor().adapter instanceof SqliteAdapter ? sql<string>`+drive_id` : sql<string>`drive_id`;
  const opener = await openerOf(filter.key);
  let after = '';
  for (;;) {
    let query = db
      .selectFrom('signatures')
      .select([
        'id',
        'drive_id',
        'petition_version',
        'language',
        'captured_at',
        'city',
        'state',
        'sealed',
        'given_name',
        'family_name',
        'street',
        'zip',
        'email',
        'autograph',
        'location',
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
    const page = await query.orderBy('id').limit(pageSize).execute();
    const open = (row: (typeof page)[number]): SignatureRow => {
      const voided = row.void_received_at !== null && row.void_received_at <= filter.asOf;
      const base = {
        id: row.id,
        petition_version: row.petition_version,
        language: row.language,
        captured_at: row.captured_at,
        city: row.city,
        state: row.state,
        digest: row.digest,
        assisted: row.assisted_by !== null,
        voided,
        void_reason: voided ? row.void_reason : null,
      };
      try {
        const { signer, autograph } = openSignatureWith(opener, row);
        return {
          ...base,
          given_name: signer.givenName,
          family_name: signer.familyName,
          street: signer.street,
          zip: signer.zip,
          email: signer.email ?? null,
          ...(filter.withAutograph && { autograph }),
          unreadable: null,
        };
      } catch (e) {
        if (!(e instanceof UnreadableSignature)) throw e;
        return { ...base, given_name: '', family_name: '', street: '', zip: '', email: null, unreadable: e.message };
      }
    };
    // Opened as they are taken: one opened row at a time besides what the caller keeps.
    for (const row of page) yield open(row);
    if (page.length < pageSize) return;
    after = page[page.length - 1]!.id;
  }
}
