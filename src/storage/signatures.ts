// Every write to the signatures table goes through these functions, voidSignature (volunteer-day.ts)
// and the sync's applyResults and resendMissing (outbox.ts); screens only read, through the live
// queries at the bottom.
import { liveQuery, type Observable } from 'dexie';
import { uuidv7 } from '../shared/ids';
import { withDigest } from '../shared/record';
import { check, SignatureContentSchema, type SignatureContent, type SignerDetails } from '../shared/schema';
import { addSignatureStrict, deviceDb, nextSequence, resetSequenceCache, sequenceTaken, signerKeyOf, type DeviceSignature } from './device-db';
import { InvalidSignatureError, isConstraintError, isQuotaError, StorageFullError } from './errors';

/** What the signer form hands over: the clear fields of the record, and the signer's details to seal. */
export type CaptureInput = Omit<SignatureContent, 'id' | 'seq' | 'capturedAt' | 'place' | 'sealed'> & SignerDetails;

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
