// base64url without padding, the same on the device, in the service worker and on the server
// (no Buffer, no btoa over binary strings).
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

export function encodeBase64url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}

/** Returns null when the text is not base64url. */
export function decodeBase64url(text: string): Uint8Array | null {
  const out = new Uint8Array(decodedLength(text));
  return decodeBase64urlInto(text, out) < 0 ? null : out;
}

/** Bytes the text decodes to (whether or not it is base64url). */
export function decodedLength(text: string): number {
  return Math.floor((text.length * 3) / 4);
}

/**
 * Decode into `out` (at least decodedLength(text) long) and return the byte count, or -1 when the
 * text is not base64url: the server checks an autograph per record, and a fresh buffer each time
 * cost more than the decoding.
 */
export function decodeBase64urlInto(text: string, out: Uint8Array): number {
  if (text.length % 4 === 1) return -1;
  let buffer = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? LOOKUP[c]! : -1;
    if (v < 0) return -1;
    buffer = (buffer << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >> bits) & 0xff;
    }
  }
  return o;
}
