// Every write to the signatures table goes through these functions (and voidSignature, in
// volunteer-day.ts); screens only read, through the live queries at the bottom.
import Dexie, { liveQuery, type Observable } from 'dexie';
import { uuidv7 } from '../shared/ids';
import { withDigest } from '../shared/record';
import { check, SignatureContentSchema, type SignatureContent, type SignatureRecord } from '../shared/schema';
import type { RecordResult, VoidNotice, VoidResult } from '../shared/protocol';
import { addSignatureStrict, deviceDb, nextSequence, resetSequenceCache, sequenceTaken, signerKeyOf, type DeviceSignature } from './device-db';
import { InvalidSignatureError, isConstraintError, isQuotaError, StorageFullError } from './errors';

export type CaptureInput = Omit<SignatureContent, 'id' | 'seq' | 'capturedAt'>;

const SEQUENCE_RETRIES = 8;

/**
 * Save a signature. Resolves only after the transaction has committed with strict durability, so
 * the caller may then say "Saved"; rejects with StorageFullError when the disk is full.
 */
export function captureSignature(input: CaptureInput, now: Date = new Date()): Promise<DeviceSignature> {
  // One save at a time in this tab, so two quick taps never race for a sequence number.
  const saved = captureQueue.then(() => saveOne(input, now));
  captureQueue = saved.then(noop, noop);
  return saved;
}

let captureQueue: Promise<void> = Promise.resolve();
const noop = () => {};

async function saveOne(input: CaptureInput, now: Date): Promise<DeviceSignature> {
  const db = deviceDb();
  const id = uuidv7(now.getTime());
  for (let attempt = 0; ; attempt++) {
    const seq = await nextSequence(db);
    // Sealed as the server will read it (trimmed, checked), so its digest matches there.
    const content = check(SignatureContentSchema, { ...input, id, seq, capturedAt: now.toISOString() });
    if (!content.ok) throw new InvalidSignatureError(content.problems);
    const record = await withDigest(content.value);
    const row: DeviceSignature = { ...record, state: 'pending' };
    const signerKey = signerKeyOf(record.signer);
    if (signerKey) row.signerKey = signerKey;
    try {
      // Settles on commit, never on a write a live query saw early.
      await addSignatureStrict(db, row);
      sequenceTaken(seq);
      return row;
    } catch (e) {
      if (isQuotaError(e)) throw new StorageFullError();
      if (isConstraintError(e) && attempt < SEQUENCE_RETRIES) {
        resetSequenceCache(); // another tab saved this number first: read the highest again
        continue;
      }
      throw e;
    }
  }
}

/** The oldest waiting records (after sequence number `afterSeq`), in sequence order. */
export function waitingRecords(limit: number, afterSeq = 0): Promise<DeviceSignature[]> {
  return deviceDb()
    .signatures.where('[state+seq]')
    .between(['pending', afterSeq], ['pending', Dexie.maxKey], false)
    .limit(limit)
    .toArray();
}

/** A voided row the server has not yet acknowledged (and has not refused). */
export const voidWaiting = (row: DeviceSignature): boolean => row.state === 'voided' && !row.voidConfirmedAt && !row.voidRejection;
/** A row whose record itself must still travel: waiting, or voided before the server ever held it. */
export const recordWaiting = (row: DeviceSignature): boolean => row.state === 'pending' || (voidWaiting(row) && !row.confirmedAt && !row.rejection);

/**
 * What the next batch sends: waiting records and waiting voids, oldest first, from after sequence
 * number `afterSeq` (a sync reads its next batch while the previous one travels). A voided row travels too.
 */
export async function outbox(limit: number, afterSeq = 0): Promise<DeviceSignature[]> {
  const db = deviceDb();
  return db.transaction('r', db.signatures, async () => {
    const [pending, voided] = await Promise.all([
      waitingRecords(limit, afterSeq),
      db.signatures.where('state').equals('voided').filter((row) => row.seq > afterSeq && voidWaiting(row)).toArray(),
    ]);
    return [...pending, ...voided].sort((a, b) => a.seq - b.seq).slice(0, limit);
  });
}

/**
 * Apply the server's answers: the only way a record leaves "pending". An answer only changes a row
 * still waiting for it, so an answer that arrives late (after the row moved on) changes nothing.
 */
export async function applyResults(results: readonly RecordResult[], now: Date = new Date(), voidResults: readonly VoidResult[] = []): Promise<number> {
  const db = deviceDb();
  let settled = 0;
  await db.transaction('rw', db.signatures, async () => {
    // One bulk read and one bulk write per batch: a get and an update awaited in turn for each record
    // cost about 3 ms a record, most of a sync's time (tests/bench/sync.bench.ts).
    const rows = await db.signatures.bulkGet([...results.map((r) => r.id), ...voidResults.map((r) => r.id)]);
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
 * The server's receipt lists these sequence numbers as missing although it once confirmed them (its
 * database was restored from an older backup, say): put the ones this tablet still holds back in
 * the outbox, voids included. Returns how many will travel again.
 */
export async function resendMissing(seqs: readonly number[]): Promise<number> {
  if (seqs.length === 0) return 0;
  const db = deviceDb();
  return db.transaction('rw', db.signatures, async () => {
    let again = 0;
    for (const row of await db.signatures.where('seq').anyOf([...seqs]).toArray()) {
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

/** Strip the device's own fields: exactly what travels. */
export function wireRecord(row: DeviceSignature): SignatureRecord {
  const { state: _s, confirmedAt: _c, rejection: _r, void: _v, voidConfirmedAt: _vc, voidRejection: _vr, signerKey: _k, ...record } = row;
  return record;
}

export function wireVoid(row: DeviceSignature): VoidNotice {
  return { id: row.id, seq: row.seq, reason: row.void?.reason ?? '', voidedAt: row.void?.at ?? row.capturedAt };
}

/** Saved on this tablet in all (the highest sequence number), live. */
export function savedTotal$(): Observable<number> {
  return liveQuery(async () => (await deviceDb().signatures.orderBy('seq').last())?.seq ?? 0);
}

// ── live queries ─────────────────────────────────────────────────────────────

export interface TodayCounts {
  savedToday: number;
  confirmedToday: number;
  waiting: number;
  rejected: number;
}

/** Midnight today, local time, as stored timestamps are written. */
export function startOfToday(): string {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d.toISOString();
}

export function todayCounts$(): Observable<TodayCounts> {
  return liveQuery(async () => {
    const db = deviceDb();
    const today = await db.signatures.where('capturedAt').aboveOrEqual(startOfToday()).toArray();
    return {
      savedToday: today.length,
      confirmedToday: today.filter((r) => r.state === 'confirmed' || r.state === 'purged').length,
      waiting: await db.signatures.where('state').equals('pending').count(),
      rejected: await db.signatures.where('state').equals('rejected').count(),
    };
  });
}

export interface SameSigner {
  seq: number;
  capturedAt: string;
}

/**
 * A signature already taken on this device from the same name at the same address (a repeat
 * signer, a door knocked twice): a warning, not a block. Voided signatures do not count. One index
 * lookup, however many signatures the tablet holds.
 */
export async function findSameSigner(signer: { givenName: string; familyName: string; street: string; zip: string }): Promise<SameSigner | undefined> {
  const key = signerKeyOf(signer);
  if (!key) return undefined;
  const found = await deviceDb()
    .signatures.where('signerKey')
    .equals(key)
    .filter((r) => r.state !== 'voided')
    .first();
  return found && { seq: found.seq, capturedAt: found.capturedAt };
}
