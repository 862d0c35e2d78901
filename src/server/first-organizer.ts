// The first organizer account, made by `npm start` on a database with no accounts, with a one-time
// password printed once (like the demo enrollment code). Only its scrypt hash is stored.
import type { Kysely } from 'kysely';
import { createAccount, hasAnyAccount } from './db/accounts';
import { isUniqueViolation } from './db/connect';
import type { Database } from './db/schema';
import { makeOneTimePassword } from './passwords';

export const DEFAULT_ORGANIZER_EMAIL = 'organizer@example.org';

/** The email and password of the account just made, or undefined when accounts exist already. */
export async function createFirstOrganizer(db: Kysely<Database>, email = DEFAULT_ORGANIZER_EMAIL): Promise<{ email: string; password: string } | undefined> {
  if (await hasAnyAccount(db)) return undefined;
  const password = makeOneTimePassword();
  try {
    await createAccount(db, { email, name: 'Organizer', role: 'organizer', password });
  } catch (e) {
    // Another instance starting at the same moment made it first.
    if (isUniqueViolation(e)) return undefined;
    throw e;
  }
  return { email: email.toLowerCase(), password };
}
