// The device database. Records live here until the server has acknowledged them one by one: this
// table, not any queue, is the system of record (DESIGN.md, guarantee 4).
import Dexie, { type Table } from 'dexie';
import type { SignatureRecord } from '../shared/schema';
import type { ErrorCode } from '../shared/protocol';

export const SIGNATURE_STATES = ['pending', 'confirmed', 'rejected', 'voided', 'purged'] as const;
export type SignatureState = (typeof SIGNATURE_STATES)[number];

/** A signature as the device keeps it: the wire record plus its life on the device. */
export interface DeviceSignature extends SignatureRecord {
  state: SignatureState;
  /** When the server acknowledged it (stored or duplicate). */
  confirmedAt?: string;
  /** The server's reason, for a record it will never take as it is. */
  rejection?: { code: ErrorCode; message: string; field?: string };
  /** Struck by the volunteer: why and when. The row and its seq stay. */
  void?: { reason: string; at: string };
}

export const DEVICE_DB_NAME = 'fieldpen';

export class DeviceDB extends Dexie {
  signatures!: Table<DeviceSignature, string>;

  constructor(name: string = DEVICE_DB_NAME) {
    // Chrome 121+ commits IndexedDB with relaxed durability by default; a signature must reach the
    // disk before the volunteer is told "Saved".
    super(name, { chromeTransactionDurability: 'strict' });
    this.version(1).stores({
      // &seq: two tabs can never give two signatures the same sequence number.
      signatures: 'id, &seq, state, [state+seq], capturedAt',
    });
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
