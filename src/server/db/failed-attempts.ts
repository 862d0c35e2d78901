// Rate limit of wrong passwords and enrollment codes. Counted in the database, not in memory: several
// server instances on one PostgreSQL share the count, and a restart does not reset it.
import type { Kysely } from 'kysely';
import type { Database } from './schema';

export const ATTEMPT_WINDOW_MS = 15 * 60 * 1000;
export const MAX_WRONG_PASSWORDS = 5;
export const MAX_WRONG_CODES = 10;

/** Seconds until `key` may try again, or 0 when it may try now. */
export async function lockedFor(db: Kysely<Database>, key: string, limit: number, now = new Date()): Promise<number> {
  const row = await db.selectFrom('failed_attempts').select(['failures', 'window_started_at']).where('key', '=', key).executeTakeFirst();
  if (!row) return 0;
  const endsAt = Date.parse(row.window_started_at) + ATTEMPT_WINDOW_MS;
  if (endsAt <= now.getTime() || row.failures < limit) return 0;
  return Math.ceil((endsAt - now.getTime()) / 1000);
}

export async function recordFailure(db: Kysely<Database>, key: string, now = new Date()): Promise<void> {
  const windowStart = new Date(now.getTime() - ATTEMPT_WINDOW_MS).toISOString();
  // One statement, so concurrent failures on several instances all count.
  await db
    .insertInto('failed_attempts')
    .values({ key, failures: 1, window_started_at: now.toISOString() })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet((eb) => ({
        failures: eb.case().when('failed_attempts.window_started_at', '<=', windowStart).then(1).else(eb('failed_attempts.failures', '+', 1)).end(),
        window_started_at: eb.case().when('failed_attempts.window_started_at', '<=', windowStart).then(now.toISOString()).else(eb.ref('failed_attempts.window_started_at')).end(),
      })),
    )
    .execute();
  // Old windows are swept by the failures that come later: nothing to schedule on several instances.
  await db.deleteFrom('failed_attempts').where('window_started_at', '<', new Date(now.getTime() - 2 * ATTEMPT_WINDOW_MS).toISOString()).execute();
}

export async function clearFailures(db: Kysely<Database>, key: string): Promise<void> {
  await db.deleteFrom('failed_attempts').where('key', '=', key).execute();
}
