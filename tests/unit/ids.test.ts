import { describe, expect, it } from 'vitest';
import { uuidv7, uuidv7Time, UUID_V7_PATTERN } from '../../src/shared/ids';

describe('record ids', () => {
  it('are UUIDv7 carrying the capture time', () => {
    const now = Date.UTC(2026, 10, 27, 12, 0, 0);
    const id = uuidv7(now);
    expect(id).toMatch(UUID_V7_PATTERN);
    expect(uuidv7Time(id)).toBe(now);
  });

  it('sort by capture time and never repeat', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => uuidv7(1_700_000_000_000 + i));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });
});
