// Enrollment codes: what a lead reads out so a tablet can join a drive. Short, typed by hand, so the
// alphabet leaves out look-alikes (0/O, 1/I/L).
import { randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './schema';

export const ENROLLMENT_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const GROUP = 4;
const GROUPS = 2;

export function makeEnrollmentCode(): string {
  const groups: string[] = [];
  for (let g = 0; g < GROUPS; g++) {
    let group = '';
    for (let i = 0; i < GROUP; i++) group += ENROLLMENT_CODE_ALPHABET[randomInt(ENROLLMENT_CODE_ALPHABET.length)];
    groups.push(group);
  }
  return groups.join('-');
}

/** `k7qm3xpd`, `K7QM-3XPD` and ` k7qm-3xpd ` are the same code. */
export function normalizeEnrollmentCode(input: string): string {
  const bare = input.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return bare.match(new RegExp(`.{1,${GROUP}}`, 'g'))?.join('-') ?? '';
}

export interface NewEnrollmentCode {
  driveId: string;
  uses: number;
  expiresAt: Date;
}

export async function createEnrollmentCode(db: Kysely<Database>, code: NewEnrollmentCode, now = new Date()): Promise<string> {
  const value = makeEnrollmentCode();
  await db
    .insertInto('enrollment_codes')
    .values({ code: value, drive_id: code.driveId, uses_left: code.uses, expires_at: code.expiresAt.toISOString(), created_at: now.toISOString() })
    .execute();
  return value;
}

/** Take one use of a code; the drive it opens, or undefined when it is unknown, used up or expired. */
export async function consumeEnrollmentCode(db: Kysely<Database>, code: string, now = new Date()): Promise<string | undefined> {
  // One conditional UPDATE, so two tablets racing for the last use cannot both win.
  const row = await db
    .updateTable('enrollment_codes')
    .set((eb) => ({ uses_left: eb('uses_left', '-', 1) }))
    .where('code', '=', normalizeEnrollmentCode(code))
    .where('uses_left', '>', 0)
    .where('expires_at', '>', now.toISOString())
    .returning('drive_id')
    .executeTakeFirst();
  return row?.drive_id;
}

/** A code that still enrolls devices, the one that lasts longest, so a restart can print it again. */
export async function findUsableCode(db: Kysely<Database>, driveId: string, now = new Date()): Promise<string | undefined> {
  const row = await db
    .selectFrom('enrollment_codes')
    .select('code')
    .where('drive_id', '=', driveId)
    .where('uses_left', '>', 0)
    .where('expires_at', '>', now.toISOString())
    .orderBy('expires_at', 'desc')
    .executeTakeFirst();
  return row?.code;
}

/** Codes of a drive that still enroll devices, newest first. */
export async function usableCodes(db: Kysely<Database>, driveId: string, now = new Date()): Promise<{ code: string; usesLeft: number; expiresAt: string }[]> {
  const rows = await db
    .selectFrom('enrollment_codes')
    .select(['code', 'uses_left', 'expires_at'])
    .where('drive_id', '=', driveId)
    .where('uses_left', '>', 0)
    .where('expires_at', '>', now.toISOString())
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((r) => ({ code: r.code, usesLeft: r.uses_left, expiresAt: r.expires_at }));
}
