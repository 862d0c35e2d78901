import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMPTY_RECEIPT_XOR, RunningXor, xorHex } from '../../src/shared/receipt-code';

/** The XOR of 128-bit values as BigInts: an oracle independent of the word-by-word code. */
function bigXor(values: readonly string[]): string {
  return values
    .reduce((acc, v) => acc ^ BigInt(`0x${v}`), 0n)
    .toString(16)
    .padStart(32, '0');
}

const entry = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(''));

describe('the receipt value', () => {
  it('XORs two entries bit for bit', () => {
    expect(xorHex('ffffffff00000000ffffffff00000000', '0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f')).toBe('f0f0f0f00f0f0f0ff0f0f0f00f0f0f0f');
    fc.assert(
      fc.property(entry, entry, (a, b) => {
        expect(xorHex(a, b)).toBe(bigXor([a, b]));
      }),
    );
  });

  it('kept running over a batch of entries, equals XORing them one by one', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 600 }), (entries) => {
        const running = new RunningXor(EMPTY_RECEIPT_XOR);
        for (const e of entries) running.add(e);
        expect(running.hex()).toBe(bigXor(entries));
      }),
      { numRuns: 50 },
    );
  });
});
