// Every write to the signatures table goes through these functions, voidSignature (volunteer-day.ts)
// and the sync's applyResults and resendMissing (outbox.ts); screens only read, through the live
// queries at the bottom.
import { liveQuery, type Observable } from 'dexie';
import { uuidv7 } from '../shared/ids';
import type { DriveInfo } from '../shared/protocol';
import { withDigest } from '../shared/record';
import { check, SignatureContentSchema, type SignatureContent, type SignerDetails } from '../shared/schema';
import { addSignatureStrict, deviceDb, nextSequence, resetSequenceCache, sequenceTaken, type DeviceSignature } from './device-db';
import { InvalidSignatureError, isConstraintError, isQuotaError, StorageFullError } from './errors';
import { initialsOf } from './initials';

export { initialsOf };

/** What the signer form hands over: the clear fields of the record, and the signer's details to seal. */
export type CaptureInput = Omit<SignatureContent, 'id' | 'seq' | 'capturedAt' | 'place' | 'sealed'> & SignerDetails;

const SEQUENCE_RETRIES = 8;

/** The sealing code (HPKE and the keyed hash), loaded after the form is shown: not in the first load. */
let sealing: Promise<typeof import('./sealing')> | undefined;
function sealingModule(): Promise<typeof import('./sealing')> {
  sealing ??= import('./sealing').catch((e: unknown) => {
    sealing = undefined; // a chunk that failed to load is asked for again at the next save
    throw e;
  });
  return sealing;
}

/** Load the sealing code and import the drive's key, so the first Save waits for neither (the signer form calls it when it opens). */
export function warmSaving(drive: Pick<DriveInfo, 'id' | 'sealKey'>): void {
  void sealingModule().then((m) => m.warmSealing(drive), noop);
}

/**
 * Save a signature. Resolves only after the transaction has committed with strict durability, so
 * the caller may then say "Saved"; rejects with StorageFullError when the disk is full,
 * InvalidSignatureError (per field: `signer.zip`, `autograph`, `volunteer`…) when the server would
 * refuse it, or when the tablet has no drive key to seal to (SealKeyMissingError, sealing.ts). Nothing is written then.
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
  const { signer, autograph, location, ...clear } = input;
  const { checkDetails, sealDetails, signerHashOf } = await sealingModule();
  // Checked (and trimmed) as the organizer's unlocked key will read them back, before anything is sealed.
  const details = checkDetails({ signer, autograph, ...(location ? { location } : {}) });
  if (!details.ok) throw new InvalidSignatureError(details.problems);
  const who = details.value.signer;
  // Sealed before the transaction opens: an IndexedDB transaction commits by itself across an await
  // that is not a request of its own (WebCrypto's), so nothing slow may run inside it.
  const [sealed, signerKey, firstSeq] = await Promise.all([
    sealDetails(details.value, { driveId: clear.driveId, recordId: id }),
    signerHashOf(who),
    nextSequence(db),
  ]);
  for (let attempt = 0; ; attempt++) {
    const seq = attempt === 0 ? firstSeq : await nextSequence(db);
    // Digested as the server will read it (trimmed, checked), so its digest matches there.
    const content = check(SignatureContentSchema, { ...clear, id, seq, capturedAt: now.toISOString(), place: { city: who.city, state: who.state }, sealed });
    if (!content.ok) throw new InvalidSignatureError(content.problems);
    const record = await withDigest(content.value);
    // Nothing of the details in clear: the wire record (sealed), its state, the initials and the keyed hash.
    const row: DeviceSignature = { ...record, state: 'pending', initials: initialsOf(who) };
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
 * signer, a door knocked twice): a warning, not a block. Voided signatures do not count, nor purged
 * ones (purging drops the hash). One index lookup, however many signatures the tablet holds.
 */
export async function findSameSigner(signer: { givenName: string; familyName: string; street: string; zip: string }): Promise<SameSigner | undefined> {
  // The keyed hash, as saved (signer-hash.ts): the rows hold no name to compare with.
  const key = await (await sealingModule()).signerHashOf(signer);
  if (!key) return undefined;
  const found = await deviceDb()
    .signatures.where('signerKey')
    .equals(key)
    .filter((r) => r.state !== 'voided')
    .first();
  return found && { seq: found.seq, capturedAt: found.capturedAt };
}
