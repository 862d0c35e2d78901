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
  return (voided ? await sha256Hex(`${digest}:void`) : digest).slice(0, 32);
}

/** XOR of two 32-hex-digit values. */
export function xorHex(a: string, b: string): string {
  let out = '';
  for (let i = 0; i < 32; i += 8) {
    const x = (parseInt(a.slice(i, i + 8), 16) ^ parseInt(b.slice(i, i + 8), 16)) >>> 0;
    out += x.toString(16).padStart(8, '0');
  }
  return out;
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
