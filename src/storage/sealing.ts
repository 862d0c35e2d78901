// Sealing a signer's details at Save, to the drive's public key (src/shared/signer-seal.ts, HPKE), and
// the keyed hash of the same-signer warning. Not part of the first load (tests/unit/first-load-budget.test.ts):
// the save code (save-signature.ts) imports it, loaded on first use (signatures.ts, `savingModule`), and the
// signer form warms it when it opens, long before the first Save. The service worker precaches its chunk like every
// other script, so it loads offline too.
import type { DriveInfo } from '../shared/protocol';
import { check, SignerDetailsSchema, type FieldProblem, type SignerDetails } from '../shared/schema';
import { importDrivePublicKey, prepareSeal, sealSignerDetails, type PreparedSeal } from '../shared/signer-seal';
import { InvalidSignatureError } from './errors';
import { loadDrive } from './settings';
import { warmSignerHash } from './signer-hash';

export { signerHashOf } from './signer-hash';

/**
 * The tablet has not yet heard the drive's key from the server: a signer's details cannot be sealed, so
 * nothing was saved. A kind of InvalidSignatureError, so the form shows its message as it shows those;
 * defined here, with the sealing, not in errors.ts (that file is in the first load).
 */
export class SealKeyMissingError extends InvalidSignatureError {
  override name = 'SealKeyMissingError';
  constructor() {
    super([{ message: 'this tablet does not have the drive’s key yet. Connect to the network once and tap Sync now, then save again.' }]);
  }
}

/** The signer's details checked (and trimmed) with the shared schema, as the organizer's unlocked key will read them back. */
export function checkDetails(details: SignerDetails): { ok: true; value: SignerDetails } | { ok: false; problems: FieldProblem[] } {
  return check(SignerDetailsSchema, details);
}

/**
 * The imported public key of the drive this tablet seals to, per drive id: a drive's key pair is made
 * with the drive and never changes (a new passphrase wraps the same private key again).
 */
const publicKeys = new Map<string, { sealKey: string; key: Promise<CryptoKey> }>();

function importKey(drive: Pick<DriveInfo, 'id' | 'sealKey'>): Promise<CryptoKey> {
  const key = importDrivePublicKey(drive.sealKey);
  const entry = { sealKey: drive.sealKey, key };
  publicKeys.set(drive.id, entry);
  key.catch(() => {
    if (publicKeys.get(drive.id) === entry) publicKeys.delete(drive.id);
  });
  return key;
}

/** The drive's public key, from the drive kept in settings; throws SealKeyMissingError when the tablet has none yet. */
async function drivePublicKey(driveId: string): Promise<CryptoKey> {
  const cached = publicKeys.get(driveId);
  if (cached) return cached.key;
  const drive = await loadDrive();
  if (!drive || drive.id !== driveId || typeof drive.sealKey !== 'string' || drive.sealKey === '') throw new SealKeyMissingError();
  return importKey(drive);
}

/** Whether the tablet knows the key of this drive (so legacy rows can be sealed now). */
export async function canSealFor(driveId: string): Promise<boolean> {
  try {
    await drivePublicKey(driveId);
    return true;
  } catch {
    return false;
  }
}

/**
 * The next Save's seal, made ready ahead (prepareSeal: the encapsulation and key schedule, all but the
 * encryption) when the signer form opens and again right after each Save has committed: Save then
 * waits for one AES-GCM encryption instead of a dozen WebCrypto steps. Memory only; handed to exactly
 * one Save, which drops it (a PreparedSeal refuses a second use). Bound to the key it was made for.
 */
let ready: { driveId: string; key: Promise<CryptoKey>; seal: Promise<PreparedSeal | undefined> } | undefined;

/**
 * Make the next seal for this drive ready, if it is not already; resolves once it is (or once it
 * failed: then Save seals cold). Never throws.
 */
export function prepareNextSeal(driveId: string): Promise<unknown> {
  const key = publicKeys.get(driveId)?.key;
  if (!key) return Promise.resolve();
  if (ready && ready.driveId === driveId && ready.key === key) return ready.seal;
  const seal = key.then(prepareSeal).catch(() => undefined);
  ready = { driveId, key, seal };
  return seal;
}

/** The seal made ready for this drive's key, taken (no other Save can get it); undefined when there is none. */
async function takeReadySeal(driveId: string, key: Promise<CryptoKey>): Promise<PreparedSeal | undefined> {
  const taken = ready;
  if (!taken || taken.driveId !== driveId || taken.key !== key) return undefined;
  ready = undefined;
  const seal = await taken.seal;
  return seal && !seal.spent ? seal : undefined;
}

/**
 * Import the drive's key and the hash key ahead of the first Save, when the signer form opens at the
 * app's start, and make the first seal ready; and seal what an app before protocol 2 left in clear, now
 * that the key is known (the sync does too, before it sends). Never throws.
 */
export function warmSealing(drive: Pick<DriveInfo, 'id' | 'sealKey'>): Promise<unknown> {
  const cached = publicKeys.get(drive.id);
  const key = !drive.sealKey ? undefined : cached && cached.sealKey === drive.sealKey ? cached.key : importKey(drive);
  const legacy = import('./legacy-records').then((m) => m.sealLegacyRecords()).catch((e: unknown) => console.error(e));
  const seal = key ? key.then(() => prepareNextSeal(drive.id), noop) : undefined;
  return Promise.all([seal, warmSignerHash(), legacy]);
}

const noop = () => {};

/**
 * `record.sealed` for these (checked) details of record `recordId` of drive `driveId`: with the seal made
 * ready for Save when there is one, else sealed from scratch (a Save never fails for want of a prepared
 * seal). `ready: false` (sealing old rows) leaves the prepared seal to the next Save.
 */
export async function sealDetails(details: SignerDetails, context: { driveId: string; recordId: string }, { ready = true } = {}): Promise<string> {
  const key = publicKeys.get(context.driveId)?.key;
  const prepared = ready && key && (await takeReadySeal(context.driveId, key));
  return sealSignerDetails(prepared || (await drivePublicKey(context.driveId)), details, context);
}
