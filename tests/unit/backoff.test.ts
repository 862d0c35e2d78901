import { describe, expect, it } from 'vitest';
import { backoffDelay, driveCheckDue } from '../../src/sync/scheduler';

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
    for (const d of draws) {
      expect(d).toBeGreaterThanOrEqual(16_000);
      expect(d).toBeLessThanOrEqual(32_000);
    }
  });
});

describe('asking for the drive after a sync', () => {
  it('waits 10 minutes after the last fetch (enrollment included), and asks when there was none or it is unreadable', () => {
    const at = Date.parse('2026-11-28T09:00:00Z');
    const fetched = '2026-11-28T09:00:00.000Z';
    expect(driveCheckDue(fetched, at + 5_000)).toBe(false); // just enrolled: the enrollment brought the drive
    expect(driveCheckDue(fetched, at + 9 * 60_000)).toBe(false);
    expect(driveCheckDue(fetched, at + 10 * 60_000)).toBe(true);
    expect(driveCheckDue(undefined, at)).toBe(true);
    expect(driveCheckDue('not a time', at)).toBe(true);
  });
});
