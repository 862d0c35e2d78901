import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/sync/scheduler';

describe('waiting after failed syncs', () => {
  it('doubles from 2 s to a ceiling of 5 minutes', () => {
    const top = (n: number) => backoffDelay(n, () => 1);
    expect([1, 2, 3, 4].map(top)).toEqual([2_000, 4_000, 8_000, 16_000]);
    expect(top(30)).toBe(300_000);
  });

  it('spreads tablets that failed together over the upper half of each wait', () => {
    expect(backoffDelay(3, () => 0)).toBe(4_000);
    expect(backoffDelay(3, () => 0.5)).toBe(6_000);
    const draws = new Set(Array.from({ length: 50 }, () => backoffDelay(5)));
    expect(draws.size).toBeGreaterThan(40);
    for (const d of draws) expect(d).toBeGreaterThanOrEqual(16_000), expect(d).toBeLessThanOrEqual(32_000);
  });
});
