// Every write to the signatures table goes through these functions; screens only read, through
// the live queries at the bottom.
import Dexie, { liveQuery, type Observable } from 'dexie';
import { uuidv7 } from '../shared/ids';
import { withDigest } from '../shared/record';
import { check, SignatureContentSchema, type SignatureContent, type SignatureRecord } from '../shared/schema';
import type { RecordResult } from '../shared/protocol';
import { addSignatureStrict, deviceDb, nextSequence, resetSequenceCache, sequenceTaken, type DeviceSignature } from './device-db';
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
    // One bulk read and one bulk write per batch: a get and an update awaited in turn for each record
    // cost about 3 ms a record, most of a sync's time (tests/bench/sync.bench.ts).
    const rows = await db.signatures.bulkGet(results.map((r) => r.id));
    const settled = new Map<string, DeviceSignature>();
    results.forEach((result, i) => {
      // An id answered twice meets its first answer, as it would in order.
      const row = settled.get(result.id) ?? rows[i];
      if (!row || row.state !== 'pending') return;
      settled.set(
        result.id,
        'reason' in result
          ? // Rejected and conflicting records are kept and shown, never retried forever.
            { ...row, state: 'rejected', rejection: result.reason }
          : { ...row, state: 'confirmed', confirmedAt: now.toISOString() },
      );
    });
    if (settled.size > 0) await db.signatures.bulkPut([...settled.values()]);
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
