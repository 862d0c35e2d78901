// A signer's details are sealed to the drive's public key before they are written anywhere, so a
// seized tablet or a copied server disk holds only ciphertext; only the organizer's unlocked key
// opens them. The construction is HPKE (RFC 9180) base mode, DHKEM(P-256, HKDF-SHA256) +
// HKDF-SHA256 + AES-128-GCM, through @hpke/core on WebCrypto: P-256 works in every tablet browser
// today (X25519 only behind a feature test), and Node's WebCrypto runs the same code.
import { Aes128Gcm, CipherSuite, DhkemP256HkdfSha256, HkdfSha256 } from '@hpke/core';
import { decodeBase64url, encodeBase64url } from './base64url';
import { canonicalJson } from './digest';
import { check, SignerDetailsSchema, type SignerDetails } from './schema';

/** First byte of every sealed payload: the suite and layout below. Another value is refused. */
export const SEAL_FORMAT = 1;
/** An uncompressed P-256 point: the encapsulated key's length. */
const ENC_BYTES = 65;
/** AES-GCM's tag: the least a ciphertext can be. */
const TAG_BYTES = 16;
const INFO = new TextEncoder().encode('fieldpen signer details v1');

export class SealError extends Error {
  override name = 'SealError';
}

let suite: CipherSuite | undefined;
function hpke(): CipherSuite {
  suite ??= new CipherSuite({ kem: new DhkemP256HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes128Gcm() });
  return suite;
}

/**
 * The record a payload belongs to, bound in as associated data: a payload moved to another record
 * or drive does not open.
 */
export interface SealContext {
  driveId: string;
  recordId: string;
}

function aadOf({ driveId, recordId }: SealContext): Uint8Array {
  return new TextEncoder().encode(`${driveId}/${recordId}`);
}

/** A drive's key pair: the public key as base64url of the raw point, the private key as a CryptoKey. */
export interface DriveKeyPair {
  publicKey: string;
  privateKey: CryptoKey;
}

export async function generateDriveKeyPair(): Promise<DriveKeyPair> {
  const pair = await hpke().kem.generateKeyPair();
  return { publicKey: encodeBase64url(new Uint8Array(await hpke().kem.serializePublicKey(pair.publicKey))), privateKey: pair.privateKey };
}

/** The private key's 32 bytes, for wrapping under a passphrase; never stored or sent as they are. */
export async function exportDrivePrivateKey(privateKey: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await hpke().kem.serializePrivateKey(privateKey));
}

export async function importDrivePrivateKey(raw: Uint8Array): Promise<CryptoKey> {
  try {
    return await hpke().kem.deserializePrivateKey(raw);
  } catch {
    throw new SealError('That is not a drive private key.');
  }
}

/** Imports a drive's public key (base64url of the raw point) once; seal with the CryptoKey after. */
export async function importDrivePublicKey(publicKey: string): Promise<CryptoKey> {
  const raw = decodeBase64url(publicKey);
  if (!raw || raw.length !== ENC_BYTES) throw new SealError('The drive public key is malformed.');
  try {
    return await hpke().kem.deserializePublicKey(raw);
  } catch {
    throw new SealError('The drive public key is not a P-256 point.');
  }
}

/**
 * One seal made ready ahead of its text: HPKE's encapsulation and key schedule (an ephemeral P-256 key,
 * ECDH, a dozen HKDF steps) do not depend on what is sealed, so they can run before Save, leaving Save
 * one AES-GCM encryption. It seals exactly one text and is then spent: a second seal under the same
 * context would use the next nonce of the same key, and a payload carries one ciphertext per
 * encapsulated key. Held in memory only, and dropped once used.
 */
export interface PreparedSeal {
  /** base64url(format ‖ enc ‖ ciphertext) of UTF-8 text, exactly as sealText makes it; a second call throws SealError. */
  sealText(text: string, context: SealContext): Promise<string>;
  /** True once sealText has been called. */
  readonly spent: boolean;
}

type SenderContext = Awaited<ReturnType<CipherSuite['createSenderContext']>>;

class OneShotSeal implements PreparedSeal {
  #sender: SenderContext | undefined;
  constructor(sender: SenderContext) {
    this.#sender = sender;
  }
  get spent(): boolean {
    return this.#sender === undefined;
  }
  async sealText(text: string, context: SealContext): Promise<string> {
    const sender = this.#sender;
    if (!sender) throw new SealError('This prepared seal was used already: prepare another.');
    // Spent before the first await, so two calls at once cannot both seal with it.
    this.#sender = undefined;
    const ciphertext = await sender.seal(new TextEncoder().encode(text), aadOf(context));
    const out = new Uint8Array(1 + ENC_BYTES + ciphertext.byteLength);
    out[0] = SEAL_FORMAT;
    out.set(new Uint8Array(sender.enc), 1);
    out.set(new Uint8Array(ciphertext), 1 + ENC_BYTES);
    return encodeBase64url(out);
  }
}

/** Makes one seal to the drive ready (the encapsulation and key schedule), for a text given later. */
export async function prepareSeal(publicKey: CryptoKey): Promise<PreparedSeal> {
  return new OneShotSeal(await hpke().createSenderContext({ recipientPublicKey: publicKey, info: INFO }));
}

/** Seals UTF-8 text (canonical JSON of the details) to the drive: base64url(format ‖ enc ‖ ciphertext). */
export async function sealText(publicKey: CryptoKey, text: string, context: SealContext): Promise<string> {
  // What suite.seal does (a sender context, one seal), through the one path that builds the payload.
  return (await prepareSeal(publicKey)).sealText(text, context);
}

/** Opens a sealed payload; throws SealError for anything that does not open as sealed for this record. */
export async function openText(privateKey: CryptoKey, sealed: string, context: SealContext): Promise<string> {
  const bytes = decodeBase64url(sealed);
  if (!bytes || bytes.length < 1 + ENC_BYTES + TAG_BYTES) throw new SealError('The sealed payload is malformed.');
  if (bytes[0] !== SEAL_FORMAT) throw new SealError(`The sealed payload has an unknown format (${bytes[0]}).`);
  let plain: ArrayBuffer;
  try {
    plain = await hpke().open({ recipientKey: privateKey, enc: bytes.subarray(1, 1 + ENC_BYTES), info: INFO }, bytes.subarray(1 + ENC_BYTES), aadOf(context));
  } catch {
    // Never say more: which part failed is of use only to someone forging payloads.
    throw new SealError('The sealed payload does not open with this drive key for this record.');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(plain);
  } catch {
    throw new SealError('The sealed payload is not UTF-8 text.');
  }
}

/** True when a payload has the sealed shape (format byte, room for a key and a tag): a cheap check for the server. */
export function looksSealed(sealed: string): boolean {
  // Only the first byte and the length are read: decoding the whole payload was 2% of filing a batch.
  if (sealed.length % 4 === 1 || Math.floor((sealed.length * 3) / 4) < 1 + ENC_BYTES + TAG_BYTES) return false;
  const head = decodeBase64url(sealed.slice(0, 4));
  return !!head && head[0] === SEAL_FORMAT;
}

/**
 * Seals a signer's details (canonical JSON) to the drive for this record: what `record.sealed` holds.
 * With a PreparedSeal (made by prepareSeal for this drive's key) only the encryption is left to do.
 */
export function sealSignerDetails(key: CryptoKey | PreparedSeal, details: SignerDetails, context: SealContext): Promise<string> {
  const text = canonicalJson(details);
  return key instanceof OneShotSeal ? key.sealText(text, context) : sealText(key as CryptoKey, text, context);
}

/**
 * Opens `record.sealed` and checks it against the shared schema: throws SealError when it does not
 * open, is not JSON, or is not a signer's details. The one way to read a signer back.
 */
export async function openSignerDetails(privateKey: CryptoKey, sealed: string, context: SealContext): Promise<SignerDetails> {
  const text = await openText(privateKey, sealed, context);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SealError('The sealed details are not JSON.');
  }
  const checked = check(SignerDetailsSchema, parsed);
  if (!checked.ok) throw new SealError(`The sealed details fail the signer schema (${checked.problems[0]?.field ?? 'details'}).`);
  return checked.value;
}

/** The clear fields a record carries for the counts agree with what was sealed (checked once opened). */
export function detailsMatchRecord(details: SignerDetails, record: { place: { city: string; state: string } }): boolean {
  return details.signer.city === record.place.city && details.signer.state === record.place.state;
}
