import { describe, expect, it } from 'vitest';
import { parseRetryAfter, waitBeforeRetry } from '../../src/sync/backoff';
import { backoffDelay } from '../../src/sync/scheduler';

describe("the server's Retry-After", () => {
  it('reads seconds and HTTP dates, and ignores what it cannot read', () => {
    const now = Date.parse('2026-11-30T18:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3_000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('Mon, 30 Nov 2026 18:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Mon, 30 Nov 2026 17:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('86400', now)).toBe(300_000); // never more than the backoff's ceiling
  });

  it('makes the next try wait at least what the server asked, spread over half as much again', () => {
    const firstFailure = backoffDelay(1, () => 1); // 2 s
    expect(waitBeforeRetry(firstFailure, 10_000, () => 0)).toBe(10_000);
    expect(waitBeforeRetry(firstFailure, 10_000, () => 1)).toBe(15_000);
    // A later failure's own backoff is longer than a short Retry-After: the backoff wins.
    expect(
      waitBeforeRetry(
        backoffDelay(6, () => 1),
        2_000,
        () => 1,
      ),
    ).toBe(64_000);
    expect(waitBeforeRetry(firstFailure, undefined)).toBe(firstFailure);
  });
});
