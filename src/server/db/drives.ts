// Drives and the petition versions a signer may be shown.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { digestOf } from '../../shared/digest';
import { LANGUAGES, petitionVersionContent, type DriveInfo, type Language, type PetitionVersion } from '../../shared/protocol';
import type { Database } from './schema';

export interface NewDrive {
  title: string;
  goal: number;
  petitions: Omit<PetitionVersion, 'version'>[];
}

export async function createDrive(db: Kysely<Database>, drive: NewDrive, now = new Date()): Promise<DriveInfo> {
  const id = randomUUID();
  const createdAt = now.toISOString();
  const petitions = await Promise.all(
    drive.petitions.map(async (p) => ({ ...petitionVersionContent(p), version: await digestOf(petitionVersionContent(p)) })),
  );
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('drives').values({ id, title: drive.title, goal: drive.goal, created_at: createdAt }).execute();
    await trx
      .insertInto('petition_versions')
      .values(petitions.map((p) => ({ ...p, drive_id: id, created_at: createdAt })))
      .execute();
  });
  return { id, title: drive.title, goal: drive.goal, petitions };
}

export async function petitionVersionsOf(db: Kysely<Database>, driveId: string): Promise<PetitionVersion[]> {
  const rows = await db
    .selectFrom('petition_versions')
    .select(['version', 'language', 'title', 'text'])
    .where('drive_id', '=', driveId)
    .orderBy('created_at')
    .orderBy('version')
    .execute();
  // Only languages from the shared list are ever written; list them in its order, oldest text first.
  const rank = (language: string) => LANGUAGES.indexOf(language as Language);
  return rows.sort((a, b) => rank(a.language) - rank(b.language)).map((r) => ({ ...r, language: r.language as Language }));
}

export async function driveInfo(db: Kysely<Database>, driveId: string): Promise<DriveInfo | undefined> {
  const drive = await db.selectFrom('drives').select(['id', 'title', 'goal']).where('id', '=', driveId).executeTakeFirst();
  if (!drive) return undefined;
  return { ...drive, petitions: await petitionVersionsOf(db, driveId) };
}

export async function hasAnyDrive(db: Kysely<Database>): Promise<boolean> {
  return (await db.selectFrom('drives').select('id').limit(1).executeTakeFirst()) !== undefined;
}
