// The volunteer's first load stays within its budget, checked on every `npm test` against the
// production build in dist/ (the browser tests' global setup builds it): the size is deterministic,
// so it needs no benchmark to hold. tests/bench/volunteer-load.bench.ts reports the same figure and
// checks it against what a browser really loads.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FIRST_LOAD_BUDGET_GZIP, firstLoad, totalGzip } from '../support/first-load';

const dist = fileURLToPath(new URL('../../dist/', import.meta.url));

describe("the volunteer's first load", () => {
  const files = firstLoad(dist);

  it('is the page, its stylesheet and its one script; the other screens and catalogs load later', () => {
    expect(files.map((f) => f.path.replace(/-[\w-]{8}\./, '-*.')).sort()).toEqual(['/', '/assets/index-*.css', '/assets/index-*.js']);
  });

  it(`weighs at most ${FIRST_LOAD_BUDGET_GZIP} bytes gzipped`, () => {
    expect(totalGzip(files)).toBeGreaterThan(10_000);
    expect(totalGzip(files)).toBeLessThanOrEqual(FIRST_LOAD_BUDGET_GZIP);
  });
});
