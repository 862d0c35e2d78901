// The server hashes with node:crypto, the device with WebCrypto: a record's digest must be the same.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256Hex, useSha256Hex } from '../../src/shared/digest';

const webCrypto = async (text: string) => {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return [...hash].map((b) => b.toString(16).padStart(2, '0')).join('');
};

describe('the SHA-256 a runtime hands in', () => {
  afterAll(() => useSha256Hex(webCrypto));

  it('gives the same digest as WebCrypto for any text, accents and emoji included', async () => {
    useSha256Hex((text) => createHash('sha256').update(text, 'utf8').digest('hex'));
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 300 }), async (text) => {
        expect(await sha256Hex(text)).toBe(await webCrypto(text));
      }),
      { numRuns: 300 },
    );
    expect(await sha256Hex('Tomás García ✓')).toBe(await webCrypto('Tomás García ✓'));
  });
});
