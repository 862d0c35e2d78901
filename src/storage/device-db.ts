// The device database. Records live here until the server has acknowledged them one by one: this
// table, not any queue, is the system of record: Background Sync only wakes the engine that reads it.
import Dexie, { RangeSet, type ObservabilitySet, type Table } from 'dexie';
import type { SignatureRecord, Signer, SignerDetails } from '../shared/schema';
import type { ErrorCode } from '../shared/protocol';
import { initialsOf } from './initials';

export const SIGNATURE_STATES = ['pending', 'confirmed', 'rejected', 'voided', 'purged'] as const;
export type SignatureState = (typeof SIGNATURE_STATES)[number];

/**
 * A signature as the device keeps it: the wire record (the signer's details only sealed) plus its life
 * on the device. Purging drops `sealed` (and the keyed `signerKey`); id, seq, digest and state stay.
 */
export interface DeviceSignature extends Omit<SignatureRecord, 'sealed'> {
  sealed?: string;
  state: SignatureState;
  /** When the server acknowledged it (stored or duplicate). */
  confirmedAt?: string;
  /** The server's reason, for a record it will never take as it is. */
  rejection?: { code: ErrorCode; message: string; field?: string };
  /** Set when the volunteer struck the signature (state 'voided'); the record keeps its sequence number. */
  void?: { reason: string; at: string };
  /** When the server acknowledged the void. */
  voidConfirmedAt?: string;
  /** Keyed hash of the signer's normalized name and address, for the same-signer warning (never sent). */
  signerKey?: string;
  /** The signer's initials, for today's list on this tablet (never sent). */
  initials?: string;
  /** The server's reason for refusing the void (it never held the record); not retried. */
  voidRejection?: { code: ErrorCode; message: string; field?: string };
}

/**
 * A row saved in clear before version 4 (protocol 1), as the version 4 upgrade leaves it when the
 * server had not yet confirmed it: the details stay only until sealLegacyRecords (legacy-records.ts)
 * seals them, marked `legacyClear` so it finds them in one index lookup. Nothing else has these fields.
 */
export interface LegacyClearRow extends DeviceSignature {
  signer?: Signer;
  autograph?: string;
  location?: SignerDetails['location'];
  legacyClear?: 1;
}

export const DEVICE_DB_NAME = 'fieldpen';

export class DeviceDB extends Dexie {
  signatures!: Table<DeviceSignature, string>;

  constructor(name: string = DEVICE_DB_NAME) {
    // Chrome 121+ commits IndexedDB with relaxed durability by default; a signature must reach the
    // disk before the volunteer is told "Saved".
    // No query cache: a save writes past Dexie (addSignatureStrict), so live queries must read the disk.
    super(name, { chromeTransactionDurability: 'strict', cache: 'disabled' });
    this.version(1).stores({
      // &seq: two tabs can never give two signatures the same sequence number.
      signatures: 'id, &seq, state, [state+seq], capturedAt',
    });
    // Version 2 (voids): counts per state over a time range (today's confirmed, voided) read the
    // index instead of today's rows. Rows are kept as they are; Dexie only adds the index.
    this.version(2).stores({
      signatures: 'id, &seq, state, [state+seq], capturedAt, [state+capturedAt]',
    });
    // Version 3: the same-signer warning looks the signer up by a key instead of reading every row
    // of a tablet that may hold thousands. (Its upgrade wrote the key in clear; version 4 removes it,
    // so a tablet upgrading from before 3 skips that step.)
    this.version(3).stores({ signatures: 'id, &seq, state, [state+seq], capturedAt, [state+capturedAt], signerKey' });
    // Version 4 (protocol 2): no signer in clear at rest. Rows saved before keep working on the screens
    // (initials, city) and lose what named the signer: the v3 key (the normalized name and address)
    // always; the details themselves at once where the server holds the record. A row the server never
    // confirmed cannot be sealed here (WebCrypto is asynchronous; an upgrade transaction commits across
    // such an await), so it is marked and sealed on start-up once the drive's key is known.
    this.version(4)
      .stores({ signatures: 'id, &seq, state, [state+seq], capturedAt, [state+capturedAt], signerKey, legacyClear' })
      .upgrade((tx) =>
        tx
          .table<LegacyClearRow, string>('signatures')
          .toCollection()
          .modify((row: LegacyClearRow) => {
            delete row.signerKey;
            if (!row.signer) return;
            row.place = { city: row.signer.city, state: row.signer.state };
            row.initials = initialsOf(row.signer);
            // The server holds it (it confirmed it; purged rows too): nothing will send it again.
            if (row.confirmedAt || row.state === 'confirmed' || row.state === 'purged') {
              delete row.signer;
              delete row.autograph;
              delete row.location;
            } else row.legacyClear = 1;
          }),
      );
  }
}

let current: DeviceDB | undefined;

/** The device database, opened on first use. */
export function deviceDb(): DeviceDB {
  current ??= new DeviceDB();
  return current;
}

/** For tests: use a database of another name (fake-indexeddb) or reset to the default. */
export function useDeviceDb(db: DeviceDB | undefined): void {
  current = db;
  resetSequenceCache();
}

let sequenceCache: number | undefined;
export function resetSequenceCache(): void {
  sequenceCache = undefined;
}
/** The sequence number the next signature gets; a ConstraintError on add means another tab took it. */
export async function nextSequence(db: DeviceDB): Promise<number> {
  if (sequenceCache === undefined) {
    const last = await db.signatures.orderBy('seq').last();
    sequenceCache = last?.seq ?? 0;
  }
  return sequenceCache + 1;
}
export function sequenceTaken(seq: number): void {
  sequenceCache = Math.max(sequenceCache ?? 0, seq);
}

/**
 * Add one signature in its own strict-durability transaction; resolves once it has committed. This is
 * the save path, so it goes straight to IndexedDB: Dexie's transaction and middleware cost about a
 * third on top of the disk flush itself (tests/bench/capture.bench.ts). Live queries in this tab and
 * others are told through Dexie's public storagemutated event, as if Dexie had written it, in the task
 * after the commit: telling them starts their queries at once (here, and a message to other tabs), which
 * took 0.15–0.2 ms of each Save before "Saved" could show; they read the row either way.
 */
export async function addSignatureStrict(db: DeviceDB, row: DeviceSignature): Promise<void> {
  if (!db.isOpen()) await db.open();
  await new Promise<void>((resolve, reject) => {
    const tx = db.backendDB().transaction('signatures', 'readwrite', { durability: 'strict' });
    const request = tx.objectStore('signatures').add(row);
    tx.oncomplete = () => {
      resolve();
      setTimeout(() => Dexie.on.storagemutated.fire(wholeTable(db, 'signatures')), 0);
    };
    // A ConstraintError (sequence taken) or QuotaExceededError aborts the transaction: nothing is written.
    tx.onabort = () => reject(request.error ?? tx.error ?? new DOMException('The save was aborted', 'AbortError'));
  });
}

/** Every key and index of a table, as Dexie marks a table that changed entirely. */
function wholeTable(db: Dexie, tableName: string): ObservabilitySet {
  const parts: ObservabilitySet = {};
  const table = db.table(tableName);
  const prefix = `idb://${db.name}/${tableName}/`;
  parts[prefix] = new RangeSet(-Infinity, [[[]]]);
  parts[`${prefix}:dels`] = new RangeSet(-Infinity, [[[]]]);
  for (const index of table.schema.indexes) parts[prefix + index.name] = new RangeSet(-Infinity, [[[]]]);
  return parts;
}
