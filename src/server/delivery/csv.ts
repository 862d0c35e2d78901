// CSV files of the delivery (signatures.csv, counts.csv, the campaign's exclusions report): RFC 4180
// (quoted where needed, CRLF), UTF-8 with a byte-order mark so spreadsheet programs read accents and
// Han characters, and no cell a spreadsheet would run as a formula: a cell starting with = + - @,
// tab or carriage return (after any spaces) gets a leading apostrophe, as OWASP advises.
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';

const FORMULA_START = /^[\s]*[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/** One cell, neutralised and quoted as needed. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (typeof value === 'string' && FORMULA_START.test(s)) s = `'${s}`;
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(cells: readonly (string | number | null | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** A CSV file written a row at a time, waiting for the disk when its buffer is full. */
export class CsvWriter {
  private readonly out: WriteStream;
  private pending = '';
  rows = 0;

  constructor(file: string, header: readonly string[]) {
    this.out = createWriteStream(file);
    this.pending = `\uFEFF${csvLine(header)}`;
  }

  async row(cells: readonly (string | number | null | undefined)[]): Promise<void> {
    this.pending += csvLine(cells);
    this.rows++;
    if (this.pending.length >= 64 * 1024) await this.flush();
  }

  private async flush(): Promise<void> {
    const chunk = this.pending;
    this.pending = '';
    if (!this.out.write(chunk, 'utf8')) await once(this.out, 'drain');
  }

  async end(): Promise<void> {
    if (this.pending) this.out.write(this.pending, 'utf8');
    this.pending = '';
    this.out.end();
    await finished(this.out);
  }
}
