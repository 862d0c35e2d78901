// Digests of canonical JSON: the same content gives the same digest on the device and the server,
// whatever the key order. Used for record integrity, duplicate-vs-conflict and petition versions.

/** JSON with object keys sorted and `undefined` members left out, so equal content has equal text. */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'string') return jsonString(value);
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('canonicalJson: number is not finite');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return '[' + value.map((v) => canonicalJson(v === undefined ? null : v)).join(',') + ']';
  const obj = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(obj).sort()) {
    if (obj[key] === undefined) continue;
    parts.push(jsonString(key) + ':' + canonicalJson(obj[key]));
  }
  return '{' + parts.join(',') + '}';
}

/** What JSON.stringify escapes in a string (any surrogate, to be safe: it escapes the lone ones). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * JSON.stringify of a string, without its cost where nothing needs escaping (most fields, and the
 * autograph): the server takes a digest of every record of every batch.
 */
export function jsonString(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : '"' + text + '"';
}

async function webCryptoSha256Hex(text: string): Promise<string> {
  const hash = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  let hex = '';
  for (const b of new Uint8Array(hash)) hex += b.toString(16).padStart(2, '0');
  return hex;
}

let sha256Impl: (text: string) => string | Promise<string> = webCryptoSha256Hex;

/**
 * Let a runtime use its own SHA-256 (the same function, faster): in Node each WebCrypto call costs
 * tens of microseconds, most of the time spent screening a batch (tests/bench/ingest.bench.ts).
 */
export function useSha256Hex(impl: (text: string) => string | Promise<string>): void {
  sha256Impl = impl;
}

export async function sha256Hex(text: string): Promise<string> {
  return sha256Impl(text);
}

export function digestOf(value: unknown): Promise<string> {
  return sha256Hex(canonicalJson(value));
}

/**
 * The digest without a promise, where the runtime handed in a synchronous SHA-256 (the server's
 * node:crypto): a promise per record was a good part of screening a batch.
 */
export function digestOfNow(value: unknown): string {
  const digest = sha256Impl(canonicalJson(value));
  if (typeof digest !== 'string') throw new TypeError('digestOfNow needs a synchronous SHA-256: hand one to useSha256Hex first');
  return digest;
}
