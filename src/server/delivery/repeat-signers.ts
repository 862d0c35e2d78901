// The same signer more than once, across tablets, cities and days (src/shared/signer-key.ts says
// what "the same" means). Memory: one short hash and one id per distinct signer, never the rows
// (100,000 signers ≈ 10 MB). 52 bits of hash make a false repeat
// among 100,000 signers a one-in-a-million chance.
import { createHash } from 'node:crypto';
import { repeatSignerKey } from '../../shared/signer-key';

export class RepeatSigners {
  /** First 52 bits of the key's SHA-256 → first id: a number key costs a third of a string one. */
  private readonly firstOf = new Map<number, string>();

  /**
   * The id of this signer's first signature when this one repeats it, else undefined (and this
   * one becomes the first). Call in the order of signing.
   */
  repeatOf(id: string, signer: { givenName: string; familyName: string; street: string; zip: string }): string | undefined {
    const digest = createHash('sha256').update(repeatSignerKey(signer)).digest();
    const key = digest.readUIntBE(0, 6) * 16 + (digest[6]! >> 4);
    const first = this.firstOf.get(key);
    if (first === undefined) this.firstOf.set(key, id);
    return first;
  }
}
