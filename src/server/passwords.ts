// Account passwords: scrypt from node:crypto with a random salt per password, at OWASP's cost
// (N=2^17, r=8, p=1: 128 MiB and about a second here per try). The parameters are stored with the hash,
// so a hash made at an older cost still verifies, and is made again at this cost on the next sign-in.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { encodeBase64url } from '../shared/base64url';
import { scryptKey, type ScryptCost } from './memory-hard';

export type { ScryptCost };

export const SCRYPT_COST: ScryptCost = { N: 2 ** 17, r: 8, p: 1 };
let cost: ScryptCost = SCRYPT_COST;

/**
 * The cost new hashes get. Only tests lower it (a second per hash, times every account a test suite
 * makes, is minutes); the server always runs at SCRYPT_COST.
 */
export function usePasswordCost(next: ScryptCost): void {
  cost = next;
}
const SALT_BYTES = 16;
/** Beyond this a stored hash is not ours: refuse it rather than spend gigabytes on it. */
const MAX_N = 2 ** 20;

export async function hashPassword(password: string, at: ScryptCost = cost): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptKey(password, salt, at);
  return ['scrypt', at.N, at.r, at.p, salt.toString('base64'), key.toString('base64')].join('$');
}

function parse(stored: string): { N: number; r: number; p: number; salt: Buffer; key: Buffer } | undefined {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  if (scheme !== 'scrypt' || !salt || !key || !Object.values(cost).every(Number.isSafeInteger) || cost.N > MAX_N) return undefined;
  return { ...cost, salt: Buffer.from(salt, 'base64'), key: Buffer.from(key, 'base64') };
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const hash = parse(stored);
  if (!hash) return false;
  const actual = await scryptKey(password, hash.salt, hash);
  return actual.length === hash.key.length && timingSafeEqual(actual, hash.key);
}

/** A hash made at a lower cost than today's: make it again once the password is known (at sign-in). */
export function needsRehash(stored: string): boolean {
  const hash = parse(stored);
  return !hash || hash.N < cost.N || hash.r < cost.r || hash.p < cost.p;
}

/** A password to print once (first organizer, new lead): 16 characters from 12 random bytes. */
export function makeOneTimePassword(): string {
  return encodeBase64url(randomBytes(12));
}

/** Spend the same time on an unknown email as on a known one, so timing does not reveal accounts. */
const decoys = new Map<number, Promise<string>>();
export async function verifyAgainstDecoy(password: string): Promise<false> {
  let decoy = decoys.get(cost.N);
  if (!decoy) decoys.set(cost.N, (decoy = hashPassword('decoy password, never matches')));
  await verifyPassword(password, await decoy);
  return false;
}
