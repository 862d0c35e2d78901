// The same-signer warning without a readable name at rest: a row keeps only a keyed hash of who signed,
// HMAC-SHA-256 (WebCrypto) under this tablet's secret (settings.ts, made at enrollment) of
// `signerKeyOf(signer)`, hex, cut to 128 bits. The door's lookup hashes the same way and compares.
//
// What a thief of the tablet can then test: the disk holds the secret too, so whoever has it can hash a
// guessed exact name + street + ZIP and see whether that person signed among the rows not yet purged
// (purging drops the hash). They cannot read a name off the disk or list anyone without a guess; but a
// list of candidates (a voter roll of the city) can be tested entry by entry, quickly: the hash hides
// the signers from a reader, not from someone who already knows whom to look for.
import { signerKeyOf } from '../shared/signer-key';
import { SETTINGS_KEYS, settingsStore } from './settings';

const SIGNER_KEY_SECRET_BYTES = 32;

/**
 * The tablet's secret: 32 random bytes in settings, made when the tablet enrolls (a tablet enrolled
 * before it existed makes it on first use). Two tabs asking at once get the same one (one IndexedDB
 * transaction). It never leaves the tablet: the server never sees it and no record carries it.
 */
export function signerKeySecret(): Promise<Uint8Array> {
  // Read, and write if absent, in one transaction of the settings store (idb-keyval's own `update`
  // would add to the first load: idb-keyval lives there).
  return settingsStore()(
    'readwrite',
    (store) =>
      new Promise<Uint8Array>((resolve, reject) => {
        const read = store.get(SETTINGS_KEYS.signerKeySecret);
        read.onerror = () => reject(read.error);
        read.onsuccess = () => {
          const stored = read.result as Uint8Array | undefined;
          if (stored) return resolve(stored);
          const made = crypto.getRandomValues(new Uint8Array(SIGNER_KEY_SECRET_BYTES));
          const write = store.put(made, SETTINGS_KEYS.signerKeySecret);
          write.onerror = () => reject(write.error);
          write.onsuccess = () => resolve(made);
        };
      }),
  );
}

/** 128 bits of the HMAC: collisions stay out of reach for any tablet's few thousand signers. */
const HASH_HEX_CHARS = 32;

let hmacKey: Promise<CryptoKey> | undefined;

/** The secret as a non-extractable HMAC key, imported once per app start. */
function key(): Promise<CryptoKey> {
  hmacKey ??= signerKeySecret()
    .then((secret) => crypto.subtle.importKey('raw', secret as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']))
    .catch((e: unknown) => {
      hmacKey = undefined;
      throw e;
    });
  return hmacKey;
}

/** For tests that change the tablet (a fresh settings database): import the secret again. */
export function forgetSignerHashKey(): void {
  hmacKey = undefined;
}

/** Warm the key (when the signer form opens), so the first save does not wait for it. */
export function warmSignerHash(): Promise<unknown> {
  return key().catch(() => undefined);
}

/** The keyed hash a row keeps for this signer; undefined when a part of name, street or ZIP is missing. */
export async function signerHashOf(signer: { givenName: string; familyName: string; street: string; zip: string }): Promise<string | undefined> {
  const plain = signerKeyOf(signer);
  if (!plain) return undefined;
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await key(), new TextEncoder().encode(plain)));
  let hex = '';
  for (const byte of mac.subarray(0, HASH_HEX_CHARS / 2)) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
