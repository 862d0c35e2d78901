// Every write to the signatures table goes through these functions; screens only read, through
// the live queries at the bottom.
import Dexie, { liveQuery, type Observable } from 'dexie';
import { uuidv7 } from '../shared/ids';
import { withDigest } from '../shared/record';
import { check, SignatureContentSchema, type SignatureContent, type SignatureRecord } from '../shared/schema';
import type { RecordResult } from '../shared/protocol';
import { deviceDb, nextSequence, resetSequenceCache, sequenceTaken, type DeviceSignature } from './device-db';
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
    try {
      // An explicit transaction: its promise settles on commit, never on a write a live query saw early.
      await db.transaction('rw', db.signatures, () => db.signatures.add(row));
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

/** The oldest waiting records, in sequence order. */
export function waitingRecords(limit: number): Promise<DeviceSignature[]> {
  return deviceDb()
    .signatures.where('[state+seq]')
    .between(['pending', Dexie.minKey], ['pending', Dexie.maxKey])
    .limit(limit)
    .toArray();
}

/** Apply the server's per-record answers: the only way a record leaves "pending". */
export async function applyResults(results: readonly RecordResult[], now: Date = new Date()): Promise<void> {
  const db = deviceDb();
  await db.transaction('rw', db.signatures, async () => {
    for (const result of results) {
      const row = await db.signatures.get(result.id);
      if (!row || row.state !== 'pending') continue;
      if (!('reason' in result)) {
        await db.signatures.update(result.id, { state: 'confirmed', confirmedAt: now.toISOString() });
      } else {
        // Rejected and conflicting records are kept and shown, never retried forever.
        await db.signatures.update(result.id, { state: 'rejected', rejection: result.reason });
      }
    }
  });
}

export interface DeviceCounts {
  /** Highest sequence number captured on this device. */
  capturedThrough: number;
  waiting: number;
}

export async function deviceCounts(): Promise<DeviceCounts> {
  const db = deviceDb();
  return db.transaction('r', db.signatures, async () => {
    const last = await db.signatures.orderBy('seq').last();
    const waiting = await db.signatures.where('state').equals('pending').count();
    return { capturedThrough: last?.seq ?? 0, waiting };
  });
}

/** Strip the device's own fields: exactly what travels. */
export function wireRecord(row: DeviceSignature): SignatureRecord {
  const { state: _s, confirmedAt: _c, rejection: _r, ...record } = row;
  return record;
}

// ── live queries ─────────────────────────────────────────────────────────────

export interface TodayCounts {
  savedToday: number;
  confirmedToday: number;
  waiting: number;
  rejected: number;
}

function startOfToday(): string {
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

// ── the volunteer's own day ─────────────────────────────────────────────────

export const VOID_REASON_MAX = 200;

/** The volunteer strikes a signature (a mistake, a signer who changed their mind). Keeps the row and its seq. */
export async function voidSignature(id: string, reason: string, now: Date = new Date()): Promise<DeviceSignature> {
  const why = reason.trim();
  if (why === '') throw new RangeError('Give a reason for voiding this signature.');
  if (why.length > VOID_REASON_MAX) throw new RangeError(`The reason is too long (at most ${VOID_REASON_MAX} characters).`);
  const db = deviceDb();
  return db.transaction('rw', db.signatures, async () => {
    const row = await db.signatures.get(id);
    if (!row) throw new RangeError('That signature is not on this tablet.');
    if (row.state === 'voided') return row;
    if (row.state === 'purged') throw new RangeError('That signature has already been removed from this tablet.');
    const changes = { state: 'voided' as const, void: { reason: why, at: now.toISOString() } };
    await db.signatures.update(id, changes);
    return { ...row, ...changes };
  });
}

/** What today's list shows of a signature: no more of the signer than a first name and an initial. */
export interface TodayEntry {
  id: string;
  seq: number;
  capturedAt: string;
  firstName: string;
  initial: string;
  state: DeviceSignature['state'];
  rejection?: DeviceSignature['rejection'];
  void?: DeviceSignature['void'];
  assisted: boolean;
}

/** Today's signatures on this device, newest first. */
export function todaySignatures$(): Observable<TodayEntry[]> {
  return liveQuery(async () => {
    const rows = await deviceDb().signatures.where('capturedAt').aboveOrEqual(startOfToday()).reverse().toArray();
    return rows.map((r) => ({
      id: r.id,
      seq: r.seq,
      capturedAt: r.capturedAt,
      firstName: r.signer.givenName,
      initial: r.signer.familyName.slice(0, 1).toUpperCase(),
      state: r.state,
      ...(r.rejection ? { rejection: r.rejection } : {}),
      ...(r.void ? { void: r.void } : {}),
      assisted: r.assisted !== undefined,
    }));
  });
}

export interface SameSigner {
  seq: number;
  capturedAt: string;
}

const sameText = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ').replace(/[.,#]/g, '');

/**
 * A signature already taken on this device from the same name at the same address (a repeat
 * signer, a door knocked twice): a warning, not a block. Voided signatures do not count.
 */
export async function findSameSigner(signer: { givenName: string; familyName: string; street: string; zip: string }): Promise<SameSigner | undefined> {
  const key = [signer.givenName, signer.familyName, signer.street].map(sameText).join('|') + '|' + signer.zip.trim().slice(0, 5);
  if (key.startsWith('|') || key.includes('||')) return undefined;
  const found = await deviceDb()
    .signatures.filter(
      (r) =>
        r.state !== 'voided' &&
        [r.signer.givenName, r.signer.familyName, r.signer.street].map(sameText).join('|') + '|' + r.signer.zip.slice(0, 5) === key,
    )
    .first();
  return found && { seq: found.seq, capturedAt: found.capturedAt };
}
