// The drive's signatures read in order, a page at a time: keyset pagination on the record id (the
// primary key, so every page is an index range on SQLite and PostgreSQL alike, and a build never
// holds more than a page of rows). Ids are UUIDv7 made when the signature was taken, so id order is
// the order of signing. Every row is opened with the drive's unlocked key as it is taken, synchronously
// with the node:crypto opener (src/server/signer-open.ts). A build reads the drive once: its sheets
// read back what the selection opened (opened-spool.ts).
import { sql, SqliteAdapter, type Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { openerOf, openSignatureWith, UnreadableSignature, type StoredSignature } from '../signer-access';
import type { OpenedRecord, OpenerLane } from './opener-lane';

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
   * syncing while a build runs; it delivers what had arrived when it started.
   */
  asOf: string;
  state?: string;
  petitionVersion?: string;
  withAutograph?: boolean;
  /** Rows per query; a page of rows with autographs is about 1 KB each (and its sealed payloads about 1.4 KB). */
  pageSize?: number;
  /** A second thread to open pages with, beside this one (opener-lane.ts). */
  lane?: OpenerLane;
}

/** Pages the lane is given at most at once, and pages opened ahead of the caller at most (memory: a few pages). */
const LANE_PAGES = 2;
const PAGES_AHEAD = 3;

type StoredRow = StoredSignature & {
  petition_version: string;
  language: string;
  captured_at: string;
  digest: string;
  assisted_by: string | null;
  void_received_at: string | null;
  void_reason: string | null;
};

export async function* signatureRows(db: Kysely<Database>, driveId: string, filter: RowFilter): AsyncGenerator<SignatureRow> {
  const pageSize = filter.pageSize ?? 500;
  // SQLite would take the (drive_id, received_at) index and sort the drive's every row for each
  // page; a unary plus keeps it on the primary key's range (PostgreSQL's planner needs no hint).
  const driveColumn = db.getExecutor().adapter instanceof SqliteAdapter ? sql<string>`+drive_id` : sql<string>`drive_id`;
  const opener = await openerOf(filter.key);
  const rowOf = (row: StoredRow, opened: OpenedRecord): SignatureRow => {
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
    if ('unreadable' in opened) {
      return { ...base, given_name: '', family_name: '', street: '', zip: '', email: null, unreadable: new UnreadableSignature(opened.unreadable).message };
    }
    const { signer, autograph } = opened;
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
  };
  const openHere = (row: StoredRow): SignatureRow => {
    try {
      const { signer, autograph } = openSignatureWith(opener, row);
      return rowOf(row, { signer, autograph });
    } catch (e) {
      if (!(e instanceof UnreadableSignature)) throw e;
      return rowOf(row, { unreadable: e.reason });
    }
  };
  const { lane } = filter;
  // With a lane: pages in order, each opened by the lane or (when the lane has enough) here.
  const ahead: Promise<SignatureRow[]>[] = [];
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
    if (!lane) {
      // Opened as they are taken: one opened row at a time besides what the caller keeps.
      for (const row of page) yield openHere(row);
    } else {
      const sealed = page.filter((row) => row.sealed !== null);
      if (lane.inFlight < LANE_PAGES && sealed.length > 0) {
        const opened = lane.open(sealed).then((answer) => {
          let i = 0;
          return page.map((row) => (row.sealed === null ? openHere(row) : rowOf(row, answer[i++]!)));
        });
        // Awaited in its turn; a page left behind when the caller stops early must not end the thread.
        opened.catch(() => undefined);
        ahead.push(opened);
      } else {
        ahead.push(Promise.resolve(page.map(openHere)));
      }
      while (ahead.length >= PAGES_AHEAD) yield* await ahead.shift()!;
    }
    if (page.length < pageSize) break;
    after = page[page.length - 1]!.id;
  }
  while (ahead.length > 0) yield* await ahead.shift()!;
}
