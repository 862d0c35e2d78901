// The one way the server reads a signer: an organizer unlocks the drive's key with its passphrase (or
// recovery key) for one operation — Latest signers, a delivery preview or build, a passphrase change —
// and every record is opened through openSignature. The unlocked key is a CryptoKey held by the
// caller for that operation only: never stored, logged or answered. Every unlock, right or wrong, is
// an audit entry; wrong ones are rate limited like passwords (db/failed-attempts.ts).
import type { Kysely } from 'kysely';
import type { DriveUnlock } from '../shared/lead-api';
import type { SignerDetails } from '../shared/schema';
import { ApiProblem } from './api-problem';
import { recordAudit } from './db/audit-log';
import { driveKeyOf } from './db/drive-keys';
import { clearFailures, giveBack, takeTry, untakeIfBusy, type AttemptLimit } from './db/failed-attempts';
import type { Database } from './db/schema';
import { unlockWithPassphrase, unlockWithRecoveryKey, WrongPassphraseError } from './drive-keys';
import { SignerOpener } from './signer-open';
import { clearDetailsOf, openSignatureWith, type StoredSignature } from './signer-details';

export { clearDetailsOf, openSealedDetails, openSignatureWith, UnreadableSignature, type StoredSignature } from './signer-details';

/** Wrong passphrases for one drive by one account from one address. */
export const MAX_WRONG_PASSPHRASES = 5;
/** Wrong passphrases by one account, every drive and address. */
export const MAX_WRONG_PASSPHRASES_PER_ACCOUNT = 20;
/** Wrong passphrases from one address, every account. */
export const MAX_WRONG_PASSPHRASES_PER_ADDRESS = 50;
/**
 * Wrong passphrases for one drive from anywhere: the passphrase guards the drive, so guessing it from
 * many accounts and addresses is slow too (the price: a guesser can hold the drive's unlock for a window).
 */
export const MAX_WRONG_PASSPHRASES_PER_DRIVE = 100;

export const unlockLimits = (address: string, accountId: string, driveId: string): AttemptLimit[] => [
  { key: `passphrase:${address}:${accountId}:${driveId}`, max: MAX_WRONG_PASSPHRASES },
  { key: `passphrase-account:${accountId}`, max: MAX_WRONG_PASSPHRASES_PER_ACCOUNT },
  { key: `passphrase-address:${address}`, max: MAX_WRONG_PASSPHRASES_PER_ADDRESS },
  { key: `passphrase-drive:${driveId}`, max: MAX_WRONG_PASSPHRASES_PER_DRIVE },
];

/** Why the drive is being opened: written in the audit entry. */
export type UnlockPurpose = 'signers' | 'delivery_preview' | 'delivery_build' | 'delivery_download' | 'passphrase_change';

export interface Unlocker {
  account: { id: string; email: string };
  /** The client's address (rate limits and the audit entry). */
  address: string;
}

export const keyMissing = () =>
  new ApiProblem(409, 'drive_key_missing', "This drive has no passphrase yet: an organizer sets the drive's passphrase first (Drive passphrase panel)");

/** The field a wrong secret is named by: what the organizer typed into. */
const fieldOf = (unlock: DriveUnlock) => ('recoveryKey' in unlock ? 'recoveryKey' : 'passphrase');

/**
 * Opens the drive's private key with the organizer's passphrase or recovery key, for one operation.
 * Throws 409 drive_key_missing, 429 rate_limited, or 400 wrong_passphrase (which changes nothing but
 * the count of wrong tries and an audit entry).
 */
export async function unlockDrive(db: Kysely<Database>, driveId: string, unlock: DriveUnlock, by: Unlocker, purpose: UnlockPurpose): Promise<CryptoKey> {
  const wrapped = await driveKeyOf(db, driveId);
  if (!wrapped) throw keyMissing();
  const limits = unlockLimits(by.address, by.account.id, driveId);
  const { wait } = await takeTry(db, limits);
  if (wait > 0) {
    const minutes = Math.ceil(wait / 60);
    throw new ApiProblem(429, 'rate_limited', `Too many wrong passphrases: wait ${minutes} minute${minutes === 1 ? '' : 's'} and try again`, fieldOf(unlock));
  }
  const using = 'recoveryKey' in unlock ? 'recovery_key' : 'passphrase';
  let key: CryptoKey;
  try {
    key =
      'recoveryKey' in unlock
        ? await unlockWithRecoveryKey(wrapped.byRecoveryKey, unlock.recoveryKey, driveId)
        : await unlockWithPassphrase(wrapped.byPassphrase, unlock.passphrase, driveId);
  } catch (e) {
    await untakeIfBusy(db, limits, e);
    if (!(e instanceof WrongPassphraseError)) throw e;
    await recordAudit(db, { action: 'drive_unlock_failed', account: by.account, address: by.address, driveId, detail: { using, purpose } });
    throw new ApiProblem(
      400,
      'wrong_passphrase',
      using === 'recovery_key'
        ? 'That recovery key does not open this drive: check it against the file you saved and try again'
        : "That passphrase does not open this drive: check it and try again, or use the drive's recovery key",
      fieldOf(unlock),
    );
  }
  // Right: the try leaves the shared counts, and this account's own count on this drive starts over.
  const [own, ...shared] = limits;
  await clearFailures(db, own!.key);
  await giveBack(
    db,
    shared.map((l) => l.key),
  );
  await recordAudit(db, { action: 'drive_unlocked', account: by.account, address: by.address, driveId, detail: { using, purpose } });
  return key;
}

/** One opener per unlocked key, for as long as the operation holds the key (a WeakMap lets both go together). */
const openers = new WeakMap<CryptoKey, Promise<SignerOpener>>();
/** The node:crypto opener of an unlocked key (signer-open.ts), made once per key. */
export function openerOf(key: CryptoKey): Promise<SignerOpener> {
  let opener = openers.get(key);
  if (!opener) openers.set(key, (opener = SignerOpener.of(key)));
  return opener;
}

/**
 * A signer's details from their row: opened with the drive's unlocked key and checked against the
 * shared schema and the row's clear place, or, for a row filed before protocol 2, its clear columns
 * as they are. Throws UnreadableSignature (its message never quotes the record).
 */
export async function openSignature(key: CryptoKey, row: StoredSignature): Promise<SignerDetails> {
  return row.sealed === null ? clearDetailsOf(row) : openSignatureWith(await openerOf(key), row);
}
