// Every write to the signatures table goes through these functions (Save's body is save-signature.ts,
// loaded after the form is shown), voidSignature (volunteer-day.ts) and the sync's applyResults and
// resendMissing (outbox.ts); screens only read, through the live queries at the bottom.
import { liveQuery, type Observable } from 'dexie';
import type { Autograph } from '../shared/autograph-codec';
import type { DriveInfo } from '../shared/protocol';
import type { SignatureContent, SignerDetails } from '../shared/schema';
import { deviceDb, type DeviceSignature } from './device-db';
import { initialsOf } from './initials';

export { initialsOf };

/** What the signer form hands over: the clear fields of the record, and the signer's details to seal. */
export type CaptureInput = Omit<SignatureContent, 'id' | 'seq' | 'capturedAt' | 'place' | 'sealed'> & SignerDetails;
/** The same with the autograph as drawn: Save encodes it (the codec loads with the save code, after the first load). */
export type DrawnCaptureInput = Omit<CaptureInput, 'autograph'> & { autograph: Autograph };

/** The save code (save-signature.ts: the codec, the checks, HPKE, the keyed hash, the digest), loaded after the form is shown: not in the first load. */
let saving: Promise<typeof import('./save-signature')> | undefined;
function savingModule(): Promise<typeof import('./save-signature')> {
  saving ??= import('./save-signature').catch((e: unknown) => {
    saving = undefined; // a chunk that failed to load is asked for again at the next save
    throw e;
  });
  return saving;
}

/**
 * Load the save code, import the drive's key and make the first seal ready, so the first Save waits
 * for none of them (the signer form calls it when it opens).
 */
export function warmSaving(drive: Pick<DriveInfo, 'id' | 'sealKey'>): void {
  void savingModule().then((m) => m.warmSealing(drive), noop);
}

/**
 * Save a signature. Resolves only after the transaction has committed with strict durability, so
 * the caller may then say "Saved"; rejects with StorageFullError when the disk is full,
 * InvalidSignatureError (per field: `signer.zip`, `autograph`, `volunteer`…) when the server would
 * refuse it, or when the tablet has no drive key to seal to (SealKeyMissingError, sealing.ts). Nothing is written then.
 */
export function captureSignature(input: CaptureInput | DrawnCaptureInput, now: Date = new Date()): Promise<DeviceSignature> {
  // One save at a time in this tab, so two quick taps never race for a sequence number.
  const saved = captureQueue.then(() => savingModule().then((m) => m.saveOne(input, now)));
  captureQueue = saved.then(noop, noop);
  return saved;
}

let captureQueue: Promise<void> = Promise.resolve();
const noop = () => {};

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
  const key = await (await savingModule()).signerHashOf(signer);
  if (!key) return undefined;
  const found = await deviceDb()
    .signatures.where('signerKey')
    .equals(key)
    .filter((r) => r.state !== 'voided')
    .first();
  return found && { seq: found.seq, capturedAt: found.capturedAt };
}
