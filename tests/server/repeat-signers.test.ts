// The repeat table of a delivery (src/server/delivery/repeat-signers.ts) keeps each distinct signer's
// first id in typed arrays: through its growth, every repeat names the exact first signature.
import { describe, expect, it } from 'vitest';
import { RepeatSigners } from '../../src/server/delivery/repeat-signers';
import { uuidv7 } from '../../src/shared/ids';

const signer = (i: number) => ({ givenName: `Rosa${i}`, familyName: 'Delgado', street: `${i} Oak Avenue`, zip: '43215' });

describe('repeat signers', () => {
  it('names the first signature of every repeat, across thousands of signers and odd ids', () => {
    const repeats = new RepeatSigners();
    const firsts: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const id = i === 7 ? 'legacy-record-7' : uuidv7(Date.parse('2026-10-01T00:00:00Z') + i);
      firsts.push(id);
      expect(repeats.repeatOf(id, signer(i))).toBeUndefined();
    }
    for (let i = 0; i < 5000; i += 7) {
      // Typed again another way: the same signer.
      const again = { ...signer(i), givenName: `  ROSA${i} `, street: `${i} Oak Ave.`, zip: '43215-1234' };
      expect(repeats.repeatOf(uuidv7(Date.parse('2026-11-01T00:00:00Z') + i), again)).toBe(firsts[i]);
    }
  });
});
