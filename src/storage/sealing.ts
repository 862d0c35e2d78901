// Sealing a signer's details at Save, to the drive's public key (src/shared/signer-seal.ts, HPKE).
// The HPKE library is not part of the first load (tests/unit/first-load-budget.test.ts): it is
// imported here on first use, and warmed when the signer form opens, long before the first Save. The
// service worker precaches its chunk like every other script, so it loads offline too.
import type { DriveInfo } from '../shared/protocol';
import type { SignerDetails } from '../shared/schema';
import { SealKeyMissingError } from './errors';
import { loadDrive, onDriveSaved } from './settings';

type SignerSeal = typeof import('../shared/signer-seal');

let library: Promise<SignerSeal> | undefined;
function signerSeal(): Promise<SignerSeal> {
  library ??= import('../shared/signer-seal').catch((e: unknown) => {
    library = undefined; // a failed chunk load is tried again at the next save
    throw e;
  });
  return library;
}

/** The imported public key of the drive this tablet seals to, per drive id (a drive's key pair never changes). */
const publicKeys = new Map<string, { sealKey: string; key: Promise<CryptoKey> }>();
onDriveSaved((drive) => {
  const cached = publicKeys.get(drive.id);
  if (cached && cached.sealKey !== drive.sealKey) publicKeys.delete(drive.id);
});

function importKey(drive: Pick<DriveInfo, 'id' | 'sealKey'>): Promise<CryptoKey> {
  const key = signerSeal().then((m) => m.importDrivePublicKey(drive.sealKey));
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

/** Load the library and import the drive's key ahead of the first Save; never throws. */
export function warmSealing(drive: Pick<DriveInfo, 'id' | 'sealKey'>): Promise<unknown> {
  if (!drive.sealKey) return signerSeal().catch(() => undefined);
  const cached = publicKeys.get(drive.id);
  return (cached && cached.sealKey === drive.sealKey ? cached.key : importKey(drive)).catch(() => undefined);
}

/** `record.sealed` for these (checked) details of record `recordId` of drive `driveId`. */
export async function sealDetails(details: SignerDetails, context: { driveId: string; recordId: string }): Promise<string> {
  const [m, key] = await Promise.all([signerSeal(), drivePublicKey(context.driveId)]);
  return m.sealSignerDetails(key, details, context);
}
