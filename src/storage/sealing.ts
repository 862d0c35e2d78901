// Sealing a signer's details at Save, to the drive's public key (src/shared/signer-seal.ts, HPKE), and
// the keyed hash of the same-signer warning. Not part of the first load (tests/unit/first-load-budget.test.ts):
// the save path imports this module on first use (signatures.ts, `sealingModule`), and the signer form
// warms it when it opens, long before the first Save. The service worker precaches its chunk like every
// other script, so it loads offline too.
import type { DriveInfo } from '../shared/protocol';
import { check, SignerDetailsSchema, type FieldProblem, type SignerDetails } from '../shared/schema';
import { importDrivePublicKey, sealSignerDetails } from '../shared/signer-seal';
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
 * Import the drive's key and the hash key ahead of the first Save, when the signer form opens at the
 * app's start; and seal what an app before protocol 2 left in clear, now that the key is known (the
 * sync does too, before it sends). Never throws.
 */
export function warmSealing(drive: Pick<DriveInfo, 'id' | 'sealKey'>): Promise<unknown> {
  const cached = publicKeys.get(drive.id);
  const key = !drive.sealKey ? undefined : cached && cached.sealKey === drive.sealKey ? cached.key : importKey(drive);
  const legacy = import('./legacy-records').then((m) => m.sealLegacyRecords()).catch((e: unknown) => console.error(e));
  return Promise.all([key?.catch(() => undefined), warmSignerHash(), legacy]);
}

/** `record.sealed` for these (checked) details of record `recordId` of drive `driveId`. */
export async function sealDetails(details: SignerDetails, context: { driveId: string; recordId: string }): Promise<string> {
  return sealSignerDetails(await drivePublicKey(context.driveId), details, context);
}
