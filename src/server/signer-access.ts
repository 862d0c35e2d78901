// The one way the server reads a signer: an organizer unlocks the drive's key with its passphrase (or
// recovery key) for one operation — Latest signers, a delivery preview or build, a passphrase change —
// and every record is opened through openSignature. The unlocked key is a CryptoKey held by the
// caller for that operation only: never stored, logged or answered. Every unlock, right or wrong, is
// an audit entry; wrong ones are rate limited like passwords (db/failed-attempts.ts).
import type { Kysely } from 'kysely';
import type { DriveUnlock } from '../shared/lead-api';
import { check, SignerDetailsSchema, type SignerDetails } from '../shared/schema';
import { detailsMatchRecord, type SealContext } from '../shared/signer-seal';
import { ApiProblem } from './api-problem';
import { recordAudit } from './db/audit-log';
import { driveKeyOf } from './db/drive-keys';
import { clearFailures, giveBack, takeTry, untakeIfBusy, type AttemptLimit } from './db/failed-attempts';
import type { Database } from './db/schema';
import { unlockWithPassphrase, unlockWithRecoveryKey, WrongPassphraseError } from './drive-keys';
import { SignerOpener } from './signer-open';

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

/** A signature row as the server holds it: sealed (protocol 2), or an older row with clear columns. */
export interface StoredSignature {
  id: string;
  drive_id: string;
  city: string;
  state: string;
  sealed: string | null;
  given_name?: string | null;
  family_name?: string | null;
  street?: string | null;
  zip?: string | null;
  email?: string | null;
  autograph?: string | null;
  location?: string | null;
}

/** A record whose details cannot be read: its seal does not open, fails the schema, or disagrees with its clear place. */
export class UnreadableSignature extends Error {
  override name = 'UnreadableSignature';
  constructor(readonly reason: 'does_not_open' | 'place_differs' | 'no_details') {
    super(
      reason === 'place_differs'
        ? 'its sealed city or state differ from the place it was counted under'
        : reason === 'no_details'
          ? 'it holds no details'
          : 'its sealed details do not open with the drive key, or are not a signer',
    );
  }
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

/** openSignature with the key's opener at hand (openerOf): synchronous, for a delivery's page of rows. */
export function openSignatureWith(opener: SignerOpener, row: StoredSignature): SignerDetails {
  if (row.sealed === null) return clearDetailsOf(row);
  const details = openSealedDetails(opener, row.sealed, { driveId: row.drive_id, recordId: row.id });
  if (!detailsMatchRecord(details, { place: { city: row.city, state: row.state } })) throw new UnreadableSignature('place_differs');
  return details;
}

/** What openSignerDetails (src/shared/signer-seal.ts) does, with the node:crypto opener (signer-open.ts says why). */
export function openSealedDetails(opener: SignerOpener, sealed: string, context: SealContext): SignerDetails {
  try {
    const checked = check(SignerDetailsSchema, JSON.parse(opener.openText(sealed, context)));
    if (checked.ok) return checked.value;
  } catch {
    // Below: whatever failed, the record says nothing more.
  }
  throw new UnreadableSignature('does_not_open');
}

/** A legacy (protocol 1) row's clear columns as the details a sealed record carries. */
export function clearDetailsOf(row: StoredSignature): SignerDetails {
  const { given_name, family_name, street, zip, autograph } = row;
  if (given_name == null || family_name == null || street == null || zip == null || autograph == null) throw new UnreadableSignature('no_details');
  return {
    signer: {
      givenName: given_name,
      familyName: family_name,
      street,
      city: row.city,
      state: row.state as SignerDetails['signer']['state'],
      zip,
      ...(row.email != null && { email: row.email }),
    },
    autograph,
    ...(row.location != null && { location: JSON.parse(row.location) as NonNullable<SignerDetails['location']> }),
  };
}
