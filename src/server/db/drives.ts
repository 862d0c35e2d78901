// Drives and the petition versions a signer may be shown. Editing a text never changes a version: it
// adds a new one and marks the old one superseded, so every signature still names the exact text.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { digestOf } from '../../shared/digest';
import type { DriveDetails, PetitionText } from '../../shared/lead-api';
import { LANGUAGES, petitionVersionContent, type DriveInfo, type Language, type PetitionVersion } from '../../shared/protocol';
import { DEFAULT_TIME_ZONE } from '../../shared/local-day';
import { createDriveKey } from '../drive-keys';
import { DriveKeyMissingError, sealKeyOf, storeDriveKey } from './drive-keys';

export { DriveKeyMissingError };
import { rosterOf } from './roster';
import { recountTallies } from './signatures';
import type { Database } from './schema';

export interface NewDrive {
  title: string;
  goal: number;
  petitions: Omit<PetitionVersion, 'version'>[];
  deadline?: string | null | undefined;
  recipient?: string | null | undefined;
  coverLetter?: string | null | undefined;
  requiredFields?: string[] | undefined;
  /** IANA zone of the drive's days; DEFAULT_TIME_ZONE when not given. */
  timeZone?: string | undefined;
  /** Hours tablets keep a confirmed record's sealed details; null or absent: the shift's end, at the latest the next day. */
  purgeAfterHours?: number | null | undefined;
}

export interface NewDriveWithKey extends NewDrive {
  /** The organizer's drive passphrase: wraps the drive's private key (never stored). */
  passphrase: string;
  /** The organizer creating it, for the key's record. */
  createdBy?: string | null | undefined;
}

export type DriveEdit = Partial<NewDrive>;

/** A new drive as its creator sees it once: with the recovery key, shown this one time and never stored. */
export type CreatedDrive = DriveInfo & { recoveryKey: string };

async function versioned(petitions: readonly PetitionText[]): Promise<PetitionVersion[]> {
  return Promise.all(petitions.map(async (p) => ({ ...petitionVersionContent(p), version: await digestOf(petitionVersionContent(p)) })));
}

/** Make a drive and its key pair (the private key wrapped under `passphrase` and a recovery key), in one transaction. */
export async function createDrive(db: Kysely<Database>, drive: NewDriveWithKey, now = new Date()): Promise<CreatedDrive> {
  const id = randomUUID();
  const createdAt = now.toISOString();
  const petitions = await versioned(drive.petitions);
  // scrypt runs before the transaction: a second of CPU must not hold a write lock.
  const key = await createDriveKey(drive.passphrase, id);
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('drives')
      .values({
        id,
        title: drive.title,
        goal: drive.goal,
        created_at: createdAt,
        deadline: drive.deadline ?? null,
        recipient: drive.recipient ?? null,
        cover_letter: drive.coverLetter ?? null,
        required_fields: drive.requiredFields ? JSON.stringify(drive.requiredFields) : null,
        time_zone: drive.timeZone ?? DEFAULT_TIME_ZONE,
        purge_after_hours: drive.purgeAfterHours ?? null,
      })
      .execute();
    await trx
      .insertInto('petition_versions')
      .values(petitions.map((p) => ({ ...p, drive_id: id, created_at: createdAt })))
      .execute();
    await storeDriveKey(trx, id, key, drive.createdBy ?? null, now);
  });
  // The same shape driveInfo gives a device, plus the recovery key for its creator.
  return {
    id,
    title: drive.title,
    goal: drive.goal,
    petitions,
    roster: [],
    ...(drive.requiredFields && { requiredFields: drive.requiredFields }),
    sealKey: key.publicKey,
    ...(drive.purgeAfterHours != null && { purgeAfterHours: drive.purgeAfterHours }),
    recoveryKey: key.recoveryKey,
  };
}

/**
 * Apply an organizer's edit; a changed text becomes a new petition version, a changed time zone counts
 * the drive's tallies again by the new days (in the same transaction). False when the drive is unknown.
 */
export async function editDrive(db: Kysely<Database>, driveId: string, edit: DriveEdit, now = new Date()): Promise<boolean> {
  const petitions = edit.petitions && (await versioned(edit.petitions));
  return db.transaction().execute(async (trx) => {
    const at = now.toISOString();
    const before = await trx.selectFrom('drives').select('time_zone').where('id', '=', driveId).executeTakeFirst();
    if (!before) return false;
    const updated = await trx
      .updateTable('drives')
      .set({
        updated_at: at,
        ...(edit.title !== undefined && { title: edit.title }),
        ...(edit.goal !== undefined && { goal: edit.goal }),
        ...(edit.deadline !== undefined && { deadline: edit.deadline }),
        ...(edit.recipient !== undefined && { recipient: edit.recipient }),
        ...(edit.coverLetter !== undefined && { cover_letter: edit.coverLetter }),
        ...(edit.requiredFields !== undefined && { required_fields: JSON.stringify(edit.requiredFields) }),
        ...(edit.timeZone !== undefined && { time_zone: edit.timeZone }),
        ...(edit.purgeAfterHours !== undefined && { purge_after_hours: edit.purgeAfterHours }),
      })
      .where('id', '=', driveId)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return false;
    if (edit.timeZone !== undefined && edit.timeZone !== before.time_zone) await recountTallies(trx, driveId, edit.timeZone);
    if (!petitions) return true;
    const wanted = new Set(petitions.map((p) => p.version));
    // The given texts are the drive's current set: everything else current is superseded.
    await trx
      .updateTable('petition_versions')
      .set({ superseded_at: at })
      .where('drive_id', '=', driveId)
      .where('superseded_at', 'is', null)
      .where('version', 'not in', [...wanted])
      .execute();
    const known = new Set((await trx.selectFrom('petition_versions').select('version').where('drive_id', '=', driveId).execute()).map((r) => r.version));
    const fresh = petitions.filter((p) => !known.has(p.version));
    if (fresh.length)
      await trx
        .insertInto('petition_versions')
        .values(fresh.map((p) => ({ ...p, drive_id: driveId, created_at: at })))
        .execute();
    // A text brought back from the past is current again, under its old version.
    await trx
      .updateTable('petition_versions')
      .set({ superseded_at: null })
      .where('drive_id', '=', driveId)
      .where('version', 'in', [...wanted])
      .execute();
    return true;
  });
}

const rank = (language: string) => LANGUAGES.indexOf(language as Language);

/** Every version the drive has had: a device may still send records made with an older text. */
export async function petitionVersionsOf(db: Kysely<Database>, driveId: string, options: { currentOnly?: boolean } = {}): Promise<PetitionVersion[]> {
  let query = db.selectFrom('petition_versions').select(['version', 'language', 'title', 'text']).where('drive_id', '=', driveId);
  if (options.currentOnly) query = query.where('superseded_at', 'is', null);
  const rows = await query.orderBy('created_at').orderBy('version').execute();
  // Only languages from the shared list are ever written; list them in its order, oldest text first.
  return rows.sort((a, b) => rank(a.language) - rank(b.language)).map((r) => ({ ...r, language: r.language as Language }));
}

/**
 * What a device downloads: the current texts, the roster, the drive's rules and the key it seals to.
 * Undefined for an unknown drive; DriveKeyMissingError for a drive made before keys (no tablet may
 * take signers for it until the organizer sets its passphrase).
 */
export async function driveInfo(db: Kysely<Database>, driveId: string): Promise<DriveInfo | undefined> {
  const drive = await db
    .selectFrom('drives')
    .select(['id', 'title', 'goal', 'required_fields', 'purge_after_hours'])
    .where('id', '=', driveId)
    .executeTakeFirst();
  if (!drive) return undefined;
  const sealKey = await sealKeyOf(db, driveId);
  if (!sealKey) throw new DriveKeyMissingError(`drive ${driveId} has no key yet`);
  const info: DriveInfo = {
    id: drive.id,
    title: drive.title,
    goal: drive.goal,
    petitions: await petitionVersionsOf(db, driveId, { currentOnly: true }),
    roster: await rosterOf(db, driveId),
    sealKey,
  };
  if (drive.required_fields) info.requiredFields = JSON.parse(drive.required_fields) as string[];
  if (drive.purge_after_hours !== null) info.purgeAfterHours = drive.purge_after_hours;
  return info;
}

export async function driveDetails(db: Kysely<Database>, driveId: string): Promise<DriveDetails | undefined> {
  const drive = await db.selectFrom('drives').selectAll().where('id', '=', driveId).executeTakeFirst();
  if (!drive) return undefined;
  const versions = await db
    .selectFrom('petition_versions')
    .select(['version', 'language', 'title', 'text', 'created_at', 'superseded_at'])
    .where('drive_id', '=', driveId)
    .orderBy('created_at')
    .orderBy('version')
    .execute();
  const leads = await db
    .selectFrom('drive_leads')
    .innerJoin('accounts', 'accounts.id', 'drive_leads.account_id')
    .select(['accounts.id', 'accounts.name', 'accounts.email'])
    .where('drive_leads.drive_id', '=', driveId)
    .orderBy('accounts.name')
    .execute();
  const all = versions.map((v) => ({
    version: v.version,
    language: v.language as Language,
    title: v.title,
    text: v.text,
    createdAt: v.created_at,
    supersededAt: v.superseded_at,
  }));
  return {
    id: drive.id,
    title: drive.title,
    goal: drive.goal,
    deadline: drive.deadline,
    recipient: drive.recipient,
    coverLetter: drive.cover_letter,
    timeZone: drive.time_zone,
    requiredFields: drive.required_fields ? (JSON.parse(drive.required_fields) as string[]) : [],
    purgeAfterHours: drive.purge_after_hours,
    hasKey: (await sealKeyOf(db, driveId)) !== undefined,
    petitions: all
      .filter((v) => v.supersededAt === null)
      .sort((a, b) => rank(a.language) - rank(b.language))
      .map(({ version, language, title, text }) => ({ version, language, title, text })),
    versions: all,
    leads,
  };
}

export async function listDrives(
  db: Kysely<Database>,
  onlyIds?: readonly string[],
): Promise<{ id: string; title: string; goal: number; deadline: string | null }[]> {
  if (onlyIds && onlyIds.length === 0) return [];
  let query = db.selectFrom('drives').select(['id', 'title', 'goal', 'deadline']).orderBy('created_at').orderBy('id');
  if (onlyIds) query = query.where('id', 'in', [...onlyIds]);
  return query.execute();
}

export async function hasAnyDrive(db: Kysely<Database>): Promise<boolean> {
  return (await db.selectFrom('drives').select('id').limit(1).executeTakeFirst()) !== undefined;
}

/** The drive's time zone; `forShare` (PostgreSQL) holds off a change of it until the caller's transaction ends. */
export async function driveTimeZoneOf(db: Kysely<Database>, driveId: string, forShare = false): Promise<string> {
  let query = db.selectFrom('drives').select('time_zone').where('id', '=', driveId);
  if (forShare) query = query.forShare();
  return (await query.executeTakeFirst())?.time_zone ?? DEFAULT_TIME_ZONE;
}
