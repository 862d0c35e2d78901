import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvCell, csvLine } from '../../src/server/delivery/csv';

const FORMULA = /^[=+\-@\t\r]/;

describe('the delivery CSV', () => {
  it('any text survives a real CSV parser, and no cell can start a formula', () => {
    const cell = fc.oneof(
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\n', '"', ',', ' ', 'a', '中', 'é') }),
    );
    fc.assert(
      fc.property(
        fc
          .array(fc.array(cell, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 })
          .filter((rows) => rows.every((r) => r.length === rows[0]!.length)),
        (rows) => {
          const text = rows.map(csvLine).join('');
          const parsed = parse(text, { record_delimiter: '\r\n', relax_column_count: false }) as string[][];
          expect(parsed).toHaveLength(rows.length);
          parsed.forEach((row, r) =>
            row.forEach((value, c) => {
              const original = rows[r]![c]!;
              expect(FORMULA.test(value)).toBe(false);
              expect(value).toBe(/^\s*[=+\-@\t\r]/.test(original) ? `'${original}` : original);
            }),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('neutralises the cells a spreadsheet would run', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('O’Brien, Jr.')).toBe('"O’Brien, Jr."');
    expect(csvCell(42)).toBe('42');
  });
});
