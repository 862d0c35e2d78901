// What the sync engine reads and writes of the signatures table: the outbox, the server's answers,
// and the device's totals. Loaded with the engine, not with the signer form.
import Dexie from 'dexie';
import type { SignatureRecord } from '../shared/schema';
import type { RecordResult, VoidNotice, VoidResult } from '../shared/protocol';
import { deviceDb, type DeviceSignature } from './device-db';

/**
 * The oldest waiting records (after sequence number `afterSeq`), in sequence order. Only sealed ones:
 * a row saved in clear before protocol 2 waits until sealLegacyRecords seals it (legacy-records.ts).
 * Filtered after the read, not in it: a Dexie filter walks a cursor instead of one getAll.
 */
export async function waitingRecords(limit: number, afterSeq = 0): Promise<DeviceSignature[]> {
  const rows = await deviceDb().signatures.where('[state+seq]').between(['pending', afterSeq], ['pending', Dexie.maxKey], false).limit(limit).toArray();
  return rows.every(isSealed) ? rows : rows.filter(isSealed);
}

/** A row that can travel: its signer sealed. One without `sealed` is either purged (the server confirmed it) or not yet sealed. */
export const isSealed = (row: DeviceSignature): boolean => typeof row.sealed === 'string' && !('signer' in row);

/** A voided row the server has not yet acknowledged (and has not refused). */
export const voidWaiting = (row: DeviceSignature): boolean => row.state === 'voided' && !row.voidConfirmedAt && !row.voidRejection;
/** A row whose record itself must still travel: waiting, or voided before the server ever held it. */
export const recordWaiting = (row: DeviceSignature): boolean => row.state === 'pending' || (voidWaiting(row) && !row.confirmedAt && !row.rejection);

/**
 * What the next batch sends: waiting records and waiting voids, oldest first, from after sequence
 * number `afterSeq` (a sync reads its next batch while the previous one travels). A voided row travels too.
 *
 * `settledThrough`: the caller knows no record at or before it is waiting (its own answers settled
 * them), so waiting records are looked for only after it; voids still from `afterSeq`. Chromium keeps
 * an index entry a state change left behind until it sweeps it, so after a sync has confirmed 10,000
 * records a read of 'pending' from the start steps over 10,000 dead entries (about 100 ms; tests/bench/sync.bench.ts).
 */
export async function outbox(limit: number, afterSeq = 0, settledThrough = 0): Promise<DeviceSignature[]> {
  const db = deviceDb();
  return db.transaction('r', db.signatures, async () => {
    const [pending, voided] = await Promise.all([
      waitingRecords(limit, Math.max(afterSeq, settledThrough)),
      db.signatures
        .where('state')
        .equals('voided')
        .filter((row) => row.seq > afterSeq && voidWaiting(row) && (!recordWaiting(row) || isSealed(row)))
        .toArray(),
    ]);
    return [...pending, ...voided].sort((a, b) => a.seq - b.seq).slice(0, limit);
  });
}

/**
 * Apply the server's answers: the only way a record leaves "pending". An answer only changes a row
 * still waiting for it, so an answer that arrives late (after the row moved on) changes nothing.
 */
export async function applyResults(
  results: readonly RecordResult[],
  now: Date = new Date(),
  voidResults: readonly VoidResult[] = [],
  /** The rows as the sync read them for sending: those still pending need not be read again. */
  sentRows?: readonly DeviceSignature[],
): Promise<number> {
  const db = deviceDb();
  let settled = 0;
  await db.transaction('rw', db.signatures, async () => {
    // One bulk read and one bulk write per batch: a get and an update awaited in turn for each record
    // cost about 3 ms a record, most of a sync's time (tests/bench/sync.bench.ts).
    const rows = await currentRows([...results.map((r) => r.id), ...voidResults.map((r) => r.id)], sentRows);
    const changed = new Map<string, DeviceSignature>();
    // An id answered twice meets its first answer, as it would in order.
    const current = (id: string, i: number) => changed.get(id) ?? rows[i];
    results.forEach((result, i) => {
      const row = current(result.id, i);
      if (!row || !recordWaiting(row)) return;
      settled++;
      // A row voided while its record was on the way keeps its 'voided' state; its void still travels.
      const voided = row.state === 'voided';
      changed.set(
        result.id,
        'reason' in result
          ? // Rejected and conflicting records are kept and shown, never retried forever.
            { ...row, ...(voided ? {} : { state: 'rejected' as const }), rejection: result.reason }
          : { ...row, ...(voided ? {} : { state: 'confirmed' as const }), confirmedAt: now.toISOString() },
      );
    });
    voidResults.forEach((result, j) => {
      const row = current(result.id, results.length + j);
      if (!row || !voidWaiting(row)) return;
      settled++;
      changed.set(result.id, 'reason' in result ? { ...row, voidRejection: result.reason } : { ...row, voidConfirmedAt: now.toISOString() });
    });
    if (changed.size > 0) await db.signatures.bulkPut([...changed.values()]);
  });
  return settled;
}

/**
 * The rows of these ids as they are now, inside the caller's transaction. A row the sync read and that
 * is still pending is unchanged since (only leaving "pending" changes a row): one key-only index read
 * tells which, instead of reading every row of the batch again (tests/bench/sync.bench.ts, apply_results).
 */
async function currentRows(ids: readonly string[], sentRows: readonly DeviceSignature[] | undefined): Promise<(DeviceSignature | undefined)[]> {
  const signatures = deviceDb().signatures;
  const pending = sentRows?.filter((row) => row.state === 'pending') ?? [];
  if (pending.length === 0) return signatures.bulkGet([...ids]);
  let low = Infinity;
  let high = -Infinity;
  for (const row of pending) ((low = Math.min(low, row.seq)), (high = Math.max(high, row.seq)));
  const stillPending = new Set(await signatures.where('[state+seq]').between(['pending', low], ['pending', high], true, true).primaryKeys());
  const known = new Map(pending.filter((row) => stillPending.has(row.id)).map((row) => [row.id, row]));
  const unknown = ids.filter((id) => !known.has(id));
  const read = new Map(unknown.length > 0 ? (await signatures.bulkGet(unknown)).flatMap((row) => (row ? [[row.id, row] as const] : [])) : []);
  return ids.map((id) => known.get(id) ?? read.get(id));
}

/**
 * The server's receipt lists these sequence numbers as missing although it once confirmed them (its
 * database was restored from an older backup, say): put the ones this tablet still holds back in
 * the outbox, voids included. Returns how many will travel again.
 */
export async function resendMissing(seqs: readonly number[]): Promise<number> {
  if (seqs.length === 0) return 0;
  const db = deviceDb();
  return db.transaction('rw', db.signatures, async () => {
    let again = 0;
    for (const row of await db.signatures
      .where('seq')
      .anyOf([...seqs])
      .toArray()) {
      // A purged row no longer has its sealed details: nothing of it can travel again.
      if (!isSealed(row)) continue;
      if (row.state === 'confirmed') {
        await db.signatures.update(row.id, { state: 'pending', confirmedAt: undefined });
        again++;
      } else if (row.state === 'voided' && row.confirmedAt && !row.rejection && !row.voidRejection) {
        await db.signatures.update(row.id, { confirmedAt: undefined, voidConfirmedAt: undefined });
        again++;
      }
    }
    return again;
  });
}

export interface DeviceCounts {
  /** Highest sequence number captured on this device. */
  capturedThrough: number;
  waiting: number;
}

/** The highest sequence number captured on this device: one index step, unlike counting what waits. */
export async function capturedThrough(): Promise<number> {
  return (await deviceDb().signatures.orderBy('seq').last())?.seq ?? 0;
}

/** Counting walks the index entry by entry (about 13 ms per 1,000 waiting in Chromium): once per sync, not per batch. */
export async function deviceCounts(): Promise<DeviceCounts> {
  const db = deviceDb();
  return db.transaction('r', db.signatures, async () => {
    const last = await db.signatures.orderBy('seq').last();
    const pending = await db.signatures.where('state').equals('pending').count();
    const voids = await db.signatures.where('state').equals('voided').filter(voidWaiting).count();
    return { capturedThrough: last?.seq ?? 0, waiting: pending + voids };
  });
}

/**
 * Exactly what travels (protocol 2): the wire record's fields, sealed details included, and nothing of
 * the device's own (state, initials, the keyed hash…). Only for a sealed row (isSealed).
 */
export function wireRecord(row: DeviceSignature): SignatureRecord {
  if (typeof row.sealed !== 'string') throw new TypeError(`Record #${row.seq} has no sealed details and cannot be sent.`);
  const record: SignatureRecord = {
    id: row.id,
    deviceId: row.deviceId,
    seq: row.seq,
    driveId: row.driveId,
    petition: row.petition,
    volunteer: row.volunteer,
    capturedAt: row.capturedAt,
    place: row.place,
    sealed: row.sealed,
    digest: row.digest,
  };
  if (row.assisted) record.assisted = row.assisted;
  return record;
}

export function wireVoid(row: DeviceSignature): VoidNotice {
  return { id: row.id, seq: row.seq, reason: row.void?.reason ?? '', voidedAt: row.void?.at ?? row.capturedAt };
}
