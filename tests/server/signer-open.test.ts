// The server's node:crypto opener (src/server/signer-open.ts) against what tablets seal with
// (@hpke/core, src/shared/signer-seal.ts): every payload the tablet code seals opens to the same text
// as the shared opener gives, and whatever the shared opener refuses — a flipped byte anywhere, another
// record, another drive, another drive's key — this one refuses too.
import { describe, expect, it } from 'vitest';
import { SignerOpener } from '../../src/server/signer-open';
import { canonicalJson } from '../../src/shared/digest';
import { encodeBase64url, decodeBase64url } from '../../src/shared/base64url';
import { generateDriveKeyPair, importDrivePublicKey, openText, SealError, sealSignerDetails, sealText } from '../../src/shared/signer-seal';
import { sampleDetails } from '../support/records';

const CONTEXT = { driveId: '0193a7c4-drive', recordId: '0193a7c4-5b10-7c3e-8a41-2f6d0b9e7c15' };

async function keys() {
  const pair = await generateDriveKeyPair();
  return { pair, publicKey: await importDrivePublicKey(pair.publicKey), opener: await SignerOpener.of(pair.privateKey) };
}

describe("the server's opener", () => {
  it('opens what the tablet code seals to exactly what the shared opener gives', async () => {
    const { pair, publicKey, opener } = await keys();
    const texts = [
      canonicalJson(sampleDetails(1)),
      canonicalJson({ ...sampleDetails(2), signer: { ...sampleDetails(2).signer, givenName: 'Zoë 秀英', familyName: 'Nguyễn-Ørsted' } }),
      '',
      'x'.repeat(20_000),
    ];
    for (const text of texts) {
      const sealed = await sealText(publicKey, text, CONTEXT);
      expect(opener.openText(sealed, CONTEXT)).toBe(await openText(pair.privateKey, sealed, CONTEXT));
      expect(opener.openText(sealed, CONTEXT)).toBe(text);
    }
    const details = sampleDetails(3);
    expect(JSON.parse(opener.openText(await sealSignerDetails(publicKey, details, CONTEXT), CONTEXT))).toEqual(details);
  });

  it('refuses a payload with any one byte changed, as the shared opener does', async () => {
    const { pair, publicKey, opener } = await keys();
    const sealed = await sealText(publicKey, 'a short signer', CONTEXT);
    const bytes = decodeBase64url(sealed)!;
    for (let i = 0; i < bytes.length; i++) {
      const changed = Uint8Array.from(bytes);
      changed[i]! ^= 0x01;
      const tampered = encodeBase64url(changed);
      expect(() => opener.openText(tampered, CONTEXT), `byte ${i}`).toThrow(SealError);
      await expect(openText(pair.privateKey, tampered, CONTEXT)).rejects.toThrow(SealError);
    }
    expect(() => opener.openText(sealed.slice(0, -4), CONTEXT)).toThrow(SealError);
    expect(() => opener.openText('not base64url!', CONTEXT)).toThrow(SealError);
  });

  it('refuses a payload moved to another record or drive, and opens nothing with another drive key', async () => {
    const { publicKey, opener } = await keys();
    const sealed = await sealText(publicKey, 'a signer', CONTEXT);
    expect(() => opener.openText(sealed, { ...CONTEXT, recordId: `${CONTEXT.recordId.slice(0, -1)}6` })).toThrow(SealError);
    expect(() => opener.openText(sealed, { ...CONTEXT, driveId: 'another-drive' })).toThrow(SealError);
    const other = await keys();
    expect(() => other.opener.openText(sealed, CONTEXT)).toThrow(SealError);
  });
});
