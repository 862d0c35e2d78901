// Opening sealed signer details on the server with node:crypto: the same construction the tablets
// seal with (src/shared/signer-seal.ts: HPKE, RFC 9180, base mode, DHKEM(P-256, HKDF-SHA256),
// HKDF-SHA256, AES-128-GCM, first message of the context), computed with Node's own ECDH, HMAC and
// AES-GCM instead of @hpke/core over WebCrypto. Why: a delivery opens every record, and @hpke/core
// took 3–4 ms of a busy core per record here (a dozen async WebCrypto calls each), about 150 s for
// 25,000 signatures; this takes about 0.3 ms, most of it the ECDH (Node's computeSecret checks our
// own key pair each time: three point multiplications where one would do). It is checked against
// @hpke/core's seal in tests/server/signer-open.test.ts (round trip, every byte flipped, the wrong
// record or drive), so the two cannot drift apart.
import { createDecipheriv, createECDH, createHmac, type ECDH } from 'node:crypto';
import { decodeBase64url } from '../shared/base64url';
import { SEAL_FORMAT, SealError, exportDrivePrivateKey, type SealContext } from '../shared/signer-seal';

/** RFC 9180 §7.1: DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM. */
const KEM_ID = 0x0010;
const KDF_ID = 0x0001;
const AEAD_ID = 0x0001;
const ENC_BYTES = 65;
const TAG_BYTES = 16;
const KEY_BYTES = 16;
const NONCE_BYTES = 12;
const MODE_BASE = 0x00;
/** What signer-seal.ts binds every payload to (its `info`). */
const INFO = Buffer.from('fieldpen signer details v1', 'utf8');

const i2osp2 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const KEM_SUITE = Buffer.concat([Buffer.from('KEM'), i2osp2(KEM_ID)]);
const HPKE_SUITE = Buffer.concat([Buffer.from('HPKE'), i2osp2(KEM_ID), i2osp2(KDF_ID), i2osp2(AEAD_ID)]);
const V1 = Buffer.from('HPKE-v1');

function hmac(key: Buffer, data: Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** HKDF-Extract with the RFC's label: an empty salt is 32 zero bytes. */
function labeledExtract(suite: Buffer, salt: Buffer, label: string, ikm: Buffer): Buffer {
  return hmac(salt.length ? salt : Buffer.alloc(32), Buffer.concat([V1, suite, Buffer.from(label), ikm]));
}

/** HKDF-Expand with the RFC's label, for L ≤ 32 (one block). */
function labeledExpand(suite: Buffer, prk: Buffer, label: string, info: Buffer, length: number): Buffer {
  const labeled = Buffer.concat([i2osp2(length), V1, suite, Buffer.from(label), info]);
  return hmac(prk, Buffer.concat([labeled, Buffer.from([1])])).subarray(0, length);
}

/** What does not depend on the record: the key schedule's context. */
const KEY_SCHEDULE_CONTEXT = Buffer.concat([
  Buffer.from([MODE_BASE]),
  labeledExtract(HPKE_SUITE, Buffer.alloc(0), 'psk_id_hash', Buffer.alloc(0)),
  labeledExtract(HPKE_SUITE, Buffer.alloc(0), 'info_hash', INFO),
]);

/** A drive's private key, ready to open many records synchronously. Holds the key: keep it for one operation. */
export class SignerOpener {
  private constructor(
    private readonly ecdh: ECDH,
    private readonly recipientPublic: Buffer,
  ) {}

  static async of(privateKey: CryptoKey): Promise<SignerOpener> {
    const raw = await exportDrivePrivateKey(privateKey);
    try {
      return SignerOpener.ofRaw(raw);
    } finally {
      raw.fill(0);
    }
  }

  /** From the raw private scalar (what exportDrivePrivateKey gives); the caller zeroes its bytes. */
  static ofRaw(raw: Uint8Array): SignerOpener {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(raw);
    return new SignerOpener(ecdh, ecdh.getPublicKey());
  }

  /** Opens a sealed payload to its UTF-8 text; throws SealError (saying nothing of why) for anything else. */
  openText(sealed: string, { driveId, recordId }: SealContext): string {
    const bytes = decodeBase64url(sealed);
    if (!bytes || bytes.length < 1 + ENC_BYTES + TAG_BYTES) throw new SealError('The sealed payload is malformed.');
    if (bytes[0] !== SEAL_FORMAT) throw new SealError(`The sealed payload has an unknown format (${bytes[0]}).`);
    const enc = Buffer.from(bytes.subarray(1, 1 + ENC_BYTES));
    const ciphertext = bytes.subarray(1 + ENC_BYTES, bytes.length - TAG_BYTES);
    const tag = bytes.subarray(bytes.length - TAG_BYTES);
    let plain: Buffer;
    try {
      // Decap: the shared secret from the ephemeral key and ours (a point off the curve throws).
      const dh = this.ecdh.computeSecret(enc);
      const kemContext = Buffer.concat([enc, this.recipientPublic]);
      const eaePrk = labeledExtract(KEM_SUITE, Buffer.alloc(0), 'eae_prk', dh);
      const sharedSecret = labeledExpand(KEM_SUITE, eaePrk, 'shared_secret', kemContext, 32);
      // Key schedule, base mode, no PSK; the first (only) message uses the base nonce as it is.
      const secret = labeledExtract(HPKE_SUITE, sharedSecret, 'secret', Buffer.alloc(0));
      const key = labeledExpand(HPKE_SUITE, secret, 'key', KEY_SCHEDULE_CONTEXT, KEY_BYTES);
      const nonce = labeledExpand(HPKE_SUITE, secret, 'base_nonce', KEY_SCHEDULE_CONTEXT, NONCE_BYTES);
      const decipher = createDecipheriv('aes-128-gcm', key, nonce);
      decipher.setAAD(Buffer.from(`${driveId}/${recordId}`, 'utf8'));
      decipher.setAuthTag(tag);
      plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch {
      throw new SealError('The sealed payload does not open with this drive key for this record.');
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(plain);
    } catch {
      throw new SealError('The sealed payload is not UTF-8 text.');
    }
  }
}
