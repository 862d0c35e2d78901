// Sealing is what keeps a seized tablet or a copied server disk from naming a signer: a sealed
// payload opens only with the drive's private key, only for the record it was sealed for.
import { describe, expect, it } from 'vitest';
import { decodeBase64url, encodeBase64url } from '../../src/shared/base64url';
import { generateDriveKeyPair, importDrivePublicKey, looksSealed, openText, SealError, sealText } from '../../src/shared/signer-seal';

const context = { driveId: 'demo', recordId: '019ac3f2-5b10-7c3e-8a41-2f6d0b9e7c15' };
const details = JSON.stringify({ givenName: 'Zoë', familyName: '陈', street: '12 Oak Avenue', email: 'zoe@example.org' });

describe('sealing a signer to the drive', () => {
  it('opens with the drive key for the same record, and the payload holds none of the text', async () => {
    const pair = await generateDriveKeyPair();
    const sealed = await sealText(await importDrivePublicKey(pair.publicKey), details, context);
    expect(looksSealed(sealed)).toBe(true);
    const bytes = Buffer.from(decodeBase64url(sealed)!);
    for (const word of ['Zoë', '陈', 'Oak Avenue', 'zoe@example.org']) {
      expect(bytes.includes(Buffer.from(word, 'utf8'))).toBe(false);
      expect(sealed.includes(word)).toBe(false);
    }
    expect(await openText(pair.privateKey, sealed, context)).toBe(details);
  });

  it('seals the same details differently each time (a fresh ephemeral key)', async () => {
    const pair = await generateDriveKeyPair();
    const key = await importDrivePublicKey(pair.publicKey);
    expect(await sealText(key, details, context)).not.toBe(await sealText(key, details, context));
  });

  it('refuses a flipped bit, another record, another drive and another drive key', async () => {
    const pair = await generateDriveKeyPair();
    const other = await generateDriveKeyPair();
    const sealed = await sealText(await importDrivePublicKey(pair.publicKey), details, context);
    const bytes = decodeBase64url(sealed)!;
    bytes[bytes.length - 20]! ^= 1;
    await expect(openText(pair.privateKey, encodeBase64url(bytes), context)).rejects.toBeInstanceOf(SealError);
    await expect(openText(pair.privateKey, sealed, { ...context, recordId: '019ac3f2-6d22-7a01-9b55-0c3e8f1d2a77' })).rejects.toBeInstanceOf(SealError);
    await expect(openText(pair.privateKey, sealed, { ...context, driveId: 'other' })).rejects.toBeInstanceOf(SealError);
    await expect(openText(other.privateKey, sealed, context)).rejects.toBeInstanceOf(SealError);
  });

  it('refuses what is not a sealed payload, with a SealError', async () => {
    const pair = await generateDriveKeyPair();
    for (const junk of ['', 'not base64!', encodeBase64url(new Uint8Array(40)), encodeBase64url(new Uint8Array(120).fill(2))]) {
      expect(looksSealed(junk)).toBe(false);
      await expect(openText(pair.privateKey, junk, context)).rejects.toBeInstanceOf(SealError);
    }
    await expect(importDrivePublicKey('AAAA')).rejects.toBeInstanceOf(SealError);
  });
});
