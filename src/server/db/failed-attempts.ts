// Rate limits of wrong passwords and enrollment codes. Counted in the database, not in memory: several
// server instances on one PostgreSQL share the count, and a restart does not reset it.
//
// A try is counted before it is checked, in one atomic statement per count, and given back when it
// was right: parallel tries cannot slip past a limit between a check and a record. The limits guard
// the secrets (an account's password, the enrollment codes) rather than addresses, so a room of
// volunteers behind one office address does not lock itself out with a few typos.
import type { Kysely } from 'kysely';
import type { Database } from './schema';
import { KdfBusyError } from '../memory-hard';

export const ATTEMPT_WINDOW_MS = 15 * 60 * 1000;
/** Wrong passwords for one account from one address. */
export const MAX_WRONG_PASSWORDS = 5;
/** Wrong passwords for one account from every address together: guessing from many addresses is slow too. */
export const MAX_WRONG_PASSWORDS_PER_ACCOUNT = 20;
/** Wrong passwords from one address for every account together: a generous ceiling for an office of leads. */
export const MAX_WRONG_PASSWORDS_PER_ADDRESS = 100;
/** Wrong enrollment codes from one address: generous, twenty volunteers enrolling from one network type a few wrong. */
export const MAX_WRONG_CODES = 50;
/**
 * Wrong enrollment codes from every address together. Each wrong code is a guess at every live code:
 * 500 a window, for the 90 days a code may last, finds one of 31^8 codes with a chance of about 1 in 200,000.
 */
export const MAX_WRONG_CODES_ANYWHERE = 500;

export interface AttemptLimit {
  key: string;
  max: number;
}

export const passwordLimits = (address: string, email: string): AttemptLimit[] => [
  { key: `password:${address}:${email}`, max: MAX_WRONG_PASSWORDS },
  { key: `password-account:${email}`, max: MAX_WRONG_PASSWORDS_PER_ACCOUNT },
  { key: `password-address:${address}`, max: MAX_WRONG_PASSWORDS_PER_ADDRESS },
];

export const codeLimits = (address: string): AttemptLimit[] => [
  { key: `code:${address}`, max: MAX_WRONG_CODES },
  { key: 'code-anywhere', max: MAX_WRONG_CODES_ANYWHERE },
];

/** Count one more failure under `key` (a new window when the last one is over); the count and its window's start. */
async function countFailure(db: Kysely<Database>, key: string, now: Date): Promise<{ failures: number; windowStartedAt: string }> {
  const windowStart = new Date(now.getTime() - ATTEMPT_WINDOW_MS).toISOString();
  // One statement, so concurrent failures on several instances all count.
  const row = await db
    .insertInto('failed_attempts')
    .values({ key, failures: 1, window_started_at: now.toISOString() })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet((eb) => ({
        failures: eb
          .case()
          .when('failed_attempts.window_started_at', '<=', windowStart)
          .then(1)
          .else(eb('failed_attempts.failures', '+', 1))
          .end(),
        window_started_at: eb
          .case()
          .when('failed_attempts.window_started_at', '<=', windowStart)
          .then(now.toISOString())
          .else(eb.ref('failed_attempts.window_started_at'))
          .end(),
      })),
    )
    .returning(['failures', 'window_started_at'])
    .executeTakeFirstOrThrow();
  return { failures: Number(row.failures), windowStartedAt: row.window_started_at };
}

const secondsLeft = (windowStartedAt: string, now: Date) => Math.max(1, Math.ceil((Date.parse(windowStartedAt) + ATTEMPT_WINDOW_MS - now.getTime()) / 1000));

/**
 * Take one try under every limit at once, counted as wrong until `giveBack`. Returns 0 when the try may
 * go ahead, or the seconds to wait and the limit that is spent (the try is then not counted).
 */
export async function takeTry(db: Kysely<Database>, limits: readonly AttemptLimit[], now = new Date()): Promise<{ wait: number; spent?: AttemptLimit }> {
  const taken: string[] = [];
  let refusal: { wait: number; spent: AttemptLimit } | undefined;
  for (const limit of limits) {
    const { failures, windowStartedAt } = await countFailure(db, limit.key, now);
    taken.push(limit.key);
    if (failures > limit.max) {
      refusal = { wait: secondsLeft(windowStartedAt, now), spent: limit };
      break;
    }
  }
  if (refusal) {
    await giveBack(db, taken);
    return refusal;
  }
  // Old windows are swept by the tries that come later: nothing to schedule on several instances.
  await db
    .deleteFrom('failed_attempts')
    .where('window_started_at', '<', new Date(now.getTime() - 2 * ATTEMPT_WINDOW_MS).toISOString())
    .execute();
  return { wait: 0 };
}

/** The try was right (or refused): it does not count. */
export async function giveBack(db: Kysely<Database>, keys: readonly string[]): Promise<void> {
  for (const key of keys) {
    await db
      .updateTable('failed_attempts')
      .set((eb) => ({ failures: eb('failures', '-', 1) }))
      .where('key', '=', key)
      .where('failures', '>', 0)
      .execute();
  }
}

/** A try the server was too busy to make at all (memory-hard.ts) was never made: it is not counted. */
export async function untakeIfBusy(db: Kysely<Database>, limits: readonly AttemptLimit[], error: unknown): Promise<void> {
  if (error instanceof KdfBusyError)
    await giveBack(
      db,
      limits.map((l) => l.key),
    );
}

/** Seconds until `key` may try again, or 0 when it may try now. */
export async function lockedFor(db: Kysely<Database>, key: string, limit: number, now = new Date()): Promise<number> {
  const row = await db.selectFrom('failed_attempts').select(['failures', 'window_started_at']).where('key', '=', key).executeTakeFirst();
  if (!row) return 0;
  const endsAt = Date.parse(row.window_started_at) + ATTEMPT_WINDOW_MS;
  if (endsAt <= now.getTime() || row.failures < limit) return 0;
  return Math.ceil((endsAt - now.getTime()) / 1000);
}

/** Count a failure without a try (tests, and what came before takeTry). */
export async function recordFailure(db: Kysely<Database>, key: string, now = new Date()): Promise<void> {
  await countFailure(db, key, now);
}

export async function clearFailures(db: Kysely<Database>, key: string): Promise<void> {
  await db.deleteFrom('failed_attempts').where('key', '=', key).execute();
}
