// The same signer more than once, across tablets, cities and days (src/shared/signer-key.ts says
// what "the same" means). Memory: one short hash and one id per distinct signer, never the rows
// (100,000 signers ≈ 15 MB).
import { createHash } from 'node:crypto';
import { repeatSignerKey } from '../../shared/signer-key';

export class RepeatSigners {
  private readonly firstOf = new Map<string, string>();

  /**
   * The id of this signer's first signature when this one repeats it, else undefined (and this
   * one becomes the first). Call in the order of signing.
   */
  repeatOf(id: string, signer: { givenName: string; familyName: string; street: string; zip: string }): string | undefined {
    const key = createHash('sha256').update(repeatSignerKey(signer)).digest('base64').slice(0, 22);
    const first = this.firstOf.get(key);
    if (first === undefined) this.firstOf.set(key, id);
    return first;
  }
}
