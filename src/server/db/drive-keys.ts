// Where a drive's key pair is kept: the public key tablets seal to, and the private key only as the
// two wraps src/server/drive-keys.ts makes (under the passphrase, under the recovery key). Nothing here
// can open a signer: that takes the passphrase, which is never stored.
import type { Kysely } from 'kysely';
import type { NewDriveKey, WrappedKey } from '../drive-keys';
import type { Database } from './schema';

/** A drive made before drive keys: no tablet may take signers for it until the organizer sets its passphrase. */
export class DriveKeyMissingError extends Error {
  override name = 'DriveKeyMissingError';
}

export interface StoredDriveKey {
  publicKey: string;
  byPassphrase: WrappedKey;
  byRecoveryKey: WrappedKey;
}

/** Keep a new drive key (call inside the drive's creation, or once for a drive made before keys). */
export async function storeDriveKey(db: Kysely<Database>, driveId: string, key: NewDriveKey, accountId: string | null, now = new Date()): Promise<void> {
  const at = now.toISOString();
  await db
    .insertInto('drive_keys')
    .values({
      drive_id: driveId,
      public_key: key.publicKey,
      by_passphrase: JSON.stringify(key.byPassphrase),
      by_recovery_key: JSON.stringify(key.byRecoveryKey),
      created_at: at,
      created_by: accountId,
      updated_at: at,
    })
    .execute();
}

export async function driveKeyOf(db: Kysely<Database>, driveId: string): Promise<StoredDriveKey | undefined> {
  const row = await db.selectFrom('drive_keys').selectAll().where('drive_id', '=', driveId).executeTakeFirst();
  return (
    row && {
      publicKey: row.public_key,
      byPassphrase: JSON.parse(row.by_passphrase) as WrappedKey,
      byRecoveryKey: JSON.parse(row.by_recovery_key) as WrappedKey,
    }
  );
}

/** The drive's public key, for what tablets download; undefined for a drive made before keys. */
export async function sealKeyOf(db: Kysely<Database>, driveId: string): Promise<string | undefined> {
  const row = await db.selectFrom('drive_keys').select('public_key').where('drive_id', '=', driveId).executeTakeFirst();
  return row?.public_key;
}

/** A new passphrase wrap (the passphrase changed); the recovery wrap stays. */
export async function replacePassphraseWrap(db: Kysely<Database>, driveId: string, byPassphrase: WrappedKey, now = new Date()): Promise<void> {
  await db
    .updateTable('drive_keys')
    .set({ by_passphrase: JSON.stringify(byPassphrase), updated_at: now.toISOString() })
    .where('drive_id', '=', driveId)
    .execute();
}
