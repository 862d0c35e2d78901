// The receipt code: a short fingerprint of exactly what the server holds of one device, that the
// device can recompute from its own records to check the server's word.
//
// Each held signature contributes one 128-bit entry: the first 32 hex digits of its digest (which
// already covers its sequence number and content), or, once voided, of SHA-256(digest + ":void").
// The entries are XORed together: order does not matter and each stored record or void updates the
// running value in O(1), so the server keeps it per device and never rereads thousands of rows.
// Entries never cancel out: each sequence number is held at most once. The code shown is the first
// 8 hex digits of SHA-256("<count>:<xor>"), as `7F3A-91C2`.
import { sha256Hex } from './digest';

export const EMPTY_RECEIPT_XOR = '0'.repeat(32);

export async function receiptEntry(digest: string, voided: boolean): Promise<string> {
  return voided ? heldEntry(await sha256Hex(`${digest}:void`)) : heldEntry(digest);
}

/** The entry of a held signature that is not voided: no hashing, so no promise. */
export function heldEntry(digest: string): string {
  return digest.slice(0, 32);
}

/** XOR of two 32-hex-digit values. */
export function xorHex(a: string, b: string): string {
  const xor = new RunningXor(a);
  xor.add(b);
  return xor.hex();
}

/** A receipt value being XORed with entry after entry (a batch adds hundreds), kept as four 32-bit words. */
export class RunningXor {
  private readonly words = new Uint32Array(4);

  constructor(hex: string) {
    this.add(hex);
  }

  /** XOR in a 32-hex-digit value. */
  add(hex: string): void {
    for (let i = 0; i < 4; i++) this.words[i]! ^= parseInt(hex.slice(i * 8, i * 8 + 8), 16);
  }

  hex(): string {
    let out = '';
    for (const word of this.words) out += word.toString(16).padStart(8, '0');
    return out;
  }
}

export async function receiptCode(received: number, xor: string): Promise<string> {
  const h = (await sha256Hex(`${received}:${xor}`)).slice(0, 8).toUpperCase();
  return `${h.slice(0, 4)}-${h.slice(4)}`;
}

/** The code for a set of held signatures, computed from scratch (the device's check; tests). */
export async function receiptCodeOf(held: readonly { digest: string; voided: boolean }[]): Promise<string> {
  let xor = EMPTY_RECEIPT_XOR;
  for (const h of held) xor = xorHex(xor, await receiptEntry(h.digest, h.voided));
  return receiptCode(held.length, xor);
}
