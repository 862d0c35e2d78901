// Organizer and lead accounts, which drives a lead may see, and sign-in sessions (stored hashed).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { encodeBase64url } from '../../shared/base64url';
import type { AccountInfo } from '../../shared/lead-api';
import { hashPassword } from '../passwords';
import type { Database, Role } from './schema';

export const SESSION_DAYS = 14;
const DAY_MS = 86_400_000;

export interface NewAccount {
  email: string;
  name: string;
  role: Role;
  password: string;
}

export async function createAccount(db: Kysely<Database>, account: NewAccount, now = new Date()): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('accounts')
    .values({
      id,
      email: account.email.trim().toLowerCase(),
      name: account.name,
      role: account.role,
      password_hash: await hashPassword(account.password),
      created_at: now.toISOString(),
    })
    .execute();
  return id;
}

export async function hasAnyAccount(db: Kysely<Database>): Promise<boolean> {
  return (await db.selectFrom('accounts').select('id').limit(1).executeTakeFirst()) !== undefined;
}

export async function findAccountByEmail(db: Kysely<Database>, email: string) {
  return db.selectFrom('accounts').selectAll().where('email', '=', email.trim().toLowerCase()).where('disabled_at', 'is', null).executeTakeFirst();
}

export async function setPassword(db: Kysely<Database>, accountId: string, password: string): Promise<void> {
  await db
    .updateTable('accounts')
    .set({ password_hash: await hashPassword(password) })
    .where('id', '=', accountId)
    .execute();
}

/** Store the hash of a password just verified again at today's cost, unless the password changed meanwhile. */
export async function rehashPassword(db: Kysely<Database>, accountId: string, password: string, oldHash: string): Promise<void> {
  await db
    .updateTable('accounts')
    .set({ password_hash: await hashPassword(password) })
    .where('id', '=', accountId)
    .where('password_hash', '=', oldHash)
    .execute();
}

export async function accountInfo(db: Kysely<Database>, accountId: string): Promise<AccountInfo | undefined> {
  const row = await db
    .selectFrom('accounts')
    .select(['id', 'email', 'name', 'role'])
    .where('id', '=', accountId)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  const drives = await db.selectFrom('drive_leads').select('drive_id').where('account_id', '=', accountId).execute();
  return { ...row, driveIds: drives.map((d) => d.drive_id) };
}

export async function listAccounts(db: Kysely<Database>): Promise<AccountInfo[]> {
  const rows = await db.selectFrom('accounts').select(['id', 'email', 'name', 'role']).where('disabled_at', 'is', null).orderBy('created_at').execute();
  const links = await db.selectFrom('drive_leads').select(['drive_id', 'account_id']).execute();
  return rows.map((r) => ({ ...r, driveIds: links.filter((l) => l.account_id === r.id).map((l) => l.drive_id) }));
}

export async function addDriveLead(db: Kysely<Database>, driveId: string, accountId: string): Promise<void> {
  await db
    .insertInto('drive_leads')
    .values({ drive_id: driveId, account_id: accountId })
    .onConflict((oc) => oc.columns(['drive_id', 'account_id']).doNothing())
    .execute();
}

export async function removeDriveLead(db: Kysely<Database>, driveId: string, accountId: string): Promise<void> {
  await db.deleteFrom('drive_leads').where('drive_id', '=', driveId).where('account_id', '=', accountId).execute();
}

/** May this account read and manage this drive? Organizers: every drive; leads: the drives they lead. */
export async function mayManageDrive(db: Kysely<Database>, account: AccountInfo, driveId: string): Promise<boolean> {
  if (account.role === 'organizer') return true;
  return account.driveIds.includes(driveId);
}

// ── sessions ─────────────────────────────────────────────────────────────────

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface NewSession {
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

export async function createSession(db: Kysely<Database>, accountId: string, now = new Date()): Promise<NewSession> {
  const token = encodeBase64url(randomBytes(32));
  const csrfToken = encodeBase64url(randomBytes(24));
  const expiresAt = new Date(now.getTime() + SESSION_DAYS * DAY_MS);
  await db
    .insertInto('sessions')
    .values({
      token_hash: hashSessionToken(token),
      account_id: accountId,
      csrf_token: csrfToken,
      created_at: now.toISOString(),
      expires_at: expiresAt.toISOString(),
    })
    .execute();
  // Old sessions are swept here rather than by a timer: nothing to schedule on several instances.
  await db.deleteFrom('sessions').where('expires_at', '<=', now.toISOString()).execute();
  return { token, csrfToken, expiresAt };
}

export async function findSession(
  db: Kysely<Database>,
  token: string,
  now = new Date(),
): Promise<{ account: AccountInfo; csrfToken: string; tokenHash: string } | undefined> {
  const tokenHash = hashSessionToken(token);
  const row = await db
    .selectFrom('sessions')
    .select(['account_id', 'csrf_token'])
    .where('token_hash', '=', tokenHash)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst();
  if (!row) return undefined;
  const account = await accountInfo(db, row.account_id);
  return account && { account, csrfToken: row.csrf_token, tokenHash };
}

export async function endSession(db: Kysely<Database>, tokenHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
}

/** After a password change: every other session of the account ends. */
export async function endOtherSessions(db: Kysely<Database>, accountId: string, keepTokenHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('account_id', '=', accountId).where('token_hash', '!=', keepTokenHash).execute();
}
