// The lead's roster: volunteer names a device offers when a shift starts.
import type { Kysely } from 'kysely';
import type { Database } from './schema';

export async function rosterOf(db: Kysely<Database>, driveId: string): Promise<string[]> {
  const rows = await db.selectFrom('roster').select('volunteer').where('drive_id', '=', driveId).orderBy('volunteer').execute();
  return rows.map((r) => r.volunteer);
}

/** Replace the roster with these names (duplicates and blanks dropped). */
export async function setRoster(db: Kysely<Database>, driveId: string, volunteers: readonly string[], now = new Date()): Promise<string[]> {
  const names = [...new Set(volunteers.map((v) => v.trim()).filter(Boolean))];
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('roster').where('drive_id', '=', driveId).execute();
    if (names.length)
      await trx
        .insertInto('roster')
        .values(names.map((volunteer) => ({ drive_id: driveId, volunteer, added_at: now.toISOString() })))
        .execute();
  });
  return rosterOf(db, driveId);
}
