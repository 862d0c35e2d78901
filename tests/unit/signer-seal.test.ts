// Sealing is what keeps a seized tablet or a copied server disk from naming a signer: a sealed
// payload opens only with the drive's private key, only for the record it was sealed for.
import { describe, expect, it } from 'vitest';
import { decodeBase64url, encodeBase64url } from '../../src/shared/base64url';
import { canonicalJson } from '../../src/shared/digest';
import { SignerOpener } from '../../src/server/signer-open';
import {
  generateDriveKeyPair,
  importDrivePublicKey,
  looksSealed,
  openSignerDetails,
  openText,
  prepareSeal,
  SEAL_FORMAT,
  SealError,
  sealSignerDetails,
  sealText,
} from '../../src/shared/signer-seal';
import { sampleDetails } from '../support/records';

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

describe('a seal prepared ahead of Save', () => {
  it('opens with the drive key, for the record named at Save, in the same format (on the tablet and on the server)', async () => {
    const pair = await generateDriveKeyPair();
    const prepared = await prepareSeal(await importDrivePublicKey(pair.publicKey));
    const signer = sampleDetails(7);
    const sealed = await sealSignerDetails(prepared, signer, context);
    const bytes = decodeBase64url(sealed)!;
    expect(bytes[0]).toBe(SEAL_FORMAT);
    expect(bytes.length).toBe(1 + 65 + new TextEncoder().encode(canonicalJson(signer)).length + 16);
    expect(await openSignerDetails(pair.privateKey, sealed, context)).toEqual(signer);
    expect(JSON.parse((await SignerOpener.of(pair.privateKey)).openText(sealed, context))).toEqual(signer);
    // The associated data is the record's, given at Save: another record does not open it.
    await expect(openText(pair.privateKey, sealed, { ...context, recordId: '019ac3f2-6d22-7a01-9b55-0c3e8f1d2a77' })).rejects.toBeInstanceOf(SealError);
  });

  it('seals one record only: a second seal, or two at once, is refused', async () => {
    const pair = await generateDriveKeyPair();
    const key = await importDrivePublicKey(pair.publicKey);
    const prepared = await prepareSeal(key);
    expect(prepared.spent).toBe(false);
    const first = await prepared.sealText(details, context);
    expect(prepared.spent).toBe(true);
    await expect(prepared.sealText(details, { ...context, recordId: '019ac3f2-6d22-7a01-9b55-0c3e8f1d2a77' })).rejects.toBeInstanceOf(SealError);
    expect(await openText(pair.privateKey, first, context)).toBe(details);

    const raced = await prepareSeal(key);
    const outcomes = await Promise.allSettled([raced.sealText(details, context), raced.sealText(details, context)]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const won = outcomes.find((o) => o.status === 'fulfilled')!;
    expect(await openText(pair.privateKey, won.value, context)).toBe(details);
  });

  it('gives every record its own encapsulated key', async () => {
    const pair = await generateDriveKeyPair();
    const key = await importDrivePublicKey(pair.publicKey);
    const sealed = [
      await sealText(key, details, context),
      ...(await Promise.all([1, 2, 3].map(async () => (await prepareSeal(key)).sealText(details, context)))),
    ];
    const encs = sealed.map((s) => encodeBase64url(decodeBase64url(s)!.subarray(1, 66)));
    expect(new Set(encs).size).toBe(4);
  });
});
