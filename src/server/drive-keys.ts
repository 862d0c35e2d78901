// A drive's private key exists in clear only in memory, for one operation: at rest it is wrapped
// (AES-256-GCM) twice — under a key derived from the organizer's passphrase with scrypt (memory-hard;
// N=2^17, r=8, p=1, the OWASP figure) and under a random recovery key the organizer downloads once.
// Losing both loses the drive's signers: nothing else can open them, by design.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { MIN_PASSPHRASE_LENGTH } from '../shared/lead-api';
import { scryptKey as scrypt, type ScryptCost } from './memory-hard';
import { exportDrivePrivateKey, generateDriveKeyPair, importDrivePrivateKey } from '../shared/signer-seal';

/** scrypt's cost; stored with every wrap so a later raise still opens older ones. */
export const PASSPHRASE_KDF = { N: 2 ** 17, r: 8, p: 1 } as const;
const KEY_BYTES = 32;

export class WrongPassphraseError extends Error {
  override name = 'WrongPassphraseError';
}

/** One wrap of the private key: what it takes to open it again, all of it safe to store. */
export interface WrappedKey {
  /** `scrypt` (under a passphrase) or `recovery` (under the recovery key). */
  kind: 'scrypt' | 'recovery';
  kdf?: { N: number; r: number; p: number; salt: string };
  iv: string;
  ciphertext: string;
  tag: string;
}

export interface NewDriveKey {
  publicKey: string;
  byPassphrase: WrappedKey;
  byRecoveryKey: WrappedKey;
  /** Shown to the organizer once, never stored: 64 hex digits in groups of four. */
  recoveryKey: string;
}

function wrap(kind: WrappedKey['kind'], key: Buffer, secret: Uint8Array, aad: string, kdf?: WrappedKey['kdf']): WrappedKey {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(secret), cipher.final()]);
  return {
    kind,
    ...(kdf ? { kdf } : {}),
    iv: iv.toString('base64url'),
    ciphertext: ciphertext.toString('base64url'),
    tag: cipher.getAuthTag().toString('base64url'),
  };
}

function unwrap(wrapped: WrappedKey, key: Buffer, aad: string): Uint8Array {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(wrapped.iv, 'base64url'));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(Buffer.from(wrapped.tag, 'base64url'));
    return new Uint8Array(Buffer.concat([decipher.update(Buffer.from(wrapped.ciphertext, 'base64url')), decipher.final()]));
  } catch {
    throw new WrongPassphraseError(wrapped.kind === 'recovery' ? 'That recovery key does not open this drive.' : 'That passphrase does not open this drive.');
  }
}

function formatRecoveryKey(bytes: Buffer): string {
  return bytes.toString('hex').toUpperCase().match(/.{4}/g)!.join('-');
}

function parseRecoveryKey(text: string): Buffer | null {
  const hex = text.replace(/[\s-]/g, '');
  return /^[0-9a-fA-F]{64}$/.test(hex) ? Buffer.from(hex, 'hex') : null;
}

export type PassphraseCost = ScryptCost;

let newWrapCost: PassphraseCost = PASSPHRASE_KDF;
/**
 * The cost new passphrase wraps get. Only tests lower it (every test drive would otherwise spend a
 * second and 128 MiB); the server always wraps at PASSPHRASE_KDF. Opening reads the cost stored in the wrap.
 */
export function useDriveKeyCost(cost: PassphraseCost): void {
  newWrapCost = cost;
}

/** Makes a drive's key pair and wraps its private key; `aad` binds the wraps to the drive (its id). */
export async function createDriveKey(passphrase: string, aad: string, cost: PassphraseCost = newWrapCost): Promise<NewDriveKey> {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) throw new RangeError(`A drive passphrase has at least ${MIN_PASSPHRASE_LENGTH} characters.`);
  const pair = await generateDriveKeyPair();
  const secret = await exportDrivePrivateKey(pair.privateKey);
  try {
    const salt = randomBytes(16);
    const byPassphrase = wrap('scrypt', await scrypt(passphrase, salt, cost), secret, aad, { ...cost, salt: salt.toString('base64url') });
    const recovery = randomBytes(KEY_BYTES);
    const byRecoveryKey = wrap('recovery', recovery, secret, aad);
    return { publicKey: pair.publicKey, byPassphrase, byRecoveryKey, recoveryKey: formatRecoveryKey(recovery) };
  } finally {
    secret.fill(0);
  }
}

/** Opens the private key with the passphrase; a wrong one throws WrongPassphraseError and reveals nothing. */
export async function unlockWithPassphrase(wrapped: WrappedKey, passphrase: string, aad: string): Promise<CryptoKey> {
  if (wrapped.kind !== 'scrypt' || !wrapped.kdf) throw new TypeError('Not a passphrase wrap.');
  const { salt, ...kdf } = wrapped.kdf;
  const secret = unwrap(wrapped, await scrypt(passphrase, Buffer.from(salt, 'base64url'), kdf), aad);
  try {
    return await importDrivePrivateKey(secret);
  } finally {
    secret.fill(0);
  }
}

/** Opens the private key with the recovery key (as shown: groups, any case, spaces allowed). */
export async function unlockWithRecoveryKey(wrapped: WrappedKey, recoveryKey: string, aad: string): Promise<CryptoKey> {
  if (wrapped.kind !== 'recovery') throw new TypeError('Not a recovery wrap.');
  const key = parseRecoveryKey(recoveryKey);
  if (!key || key.length !== KEY_BYTES) throw new WrongPassphraseError('A recovery key is 64 hexadecimal digits.');
  const secret = unwrap(wrapped, key, aad);
  try {
    return await importDrivePrivateKey(secret);
  } finally {
    secret.fill(0);
  }
}

/** Re-wraps under a new passphrase (after unlocking with the old one or the recovery key). */
export async function rewrapWithPassphrase(privateKey: CryptoKey, passphrase: string, aad: string, cost: PassphraseCost = newWrapCost): Promise<WrappedKey> {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) throw new RangeError(`A drive passphrase has at least ${MIN_PASSPHRASE_LENGTH} characters.`);
  const secret = await exportDrivePrivateKey(privateKey);
  try {
    const salt = randomBytes(16);
    return wrap('scrypt', await scrypt(passphrase, salt, cost), secret, aad, { ...cost, salt: salt.toString('base64url') });
  } finally {
    secret.fill(0);
  }
}

export { MIN_PASSPHRASE_LENGTH };
