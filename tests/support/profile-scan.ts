// Reading a browser profile as a thief with its disk would: every file as bytes, searched for text in
// each form Chromium's files hold it — UTF-8 (SQLite, JSON, the OPFS draft), UTF-16LE (session files,
// V8's two-byte strings in IndexedDB), Latin-1 (V8's one-byte strings: "Zoë" is 5A 6F EB there) —
// and JSON-escaped (`\u738b`), as a JSON writer that escapes non-ASCII would leave it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every regular file under `dir` (symbolic links and sockets, such as Chromium's Singleton*, skipped). */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : []));
}

const jsonEscaped = (value: string, hex: (code: number) => string) => value.replace(/[^\x20-\x7e]/g, (c) => `\\u${hex(c.charCodeAt(0)).padStart(4, '0')}`);

/** The byte strings that would betray `value` in a file. */
export function encodedForms(value: string): Buffer[] {
  const texts = new Set([value, jsonEscaped(value, (c) => c.toString(16)), jsonEscaped(value, (c) => c.toString(16).toUpperCase())]);
  const forms: Buffer[] = [];
  for (const text of texts) {
    forms.push(Buffer.from(text, 'utf8'), Buffer.from(text, 'utf16le'));
    if (/^[\x00-\xff]*$/.test(text) && /[\x80-\xff]/.test(text)) forms.push(Buffer.from(text, 'latin1'));
  }
  return forms;
}

/** The values found in one file's bytes. */
export function valuesInFile(file: string, values: readonly string[]): string[] {
  const bytes = readFileSync(file);
  return values.filter((v) => encodedForms(v).some((form) => bytes.includes(form)));
}

/** Where each value was found under `dir`: value → files (relative to `dir`); values found nowhere are left out. */
export function scanFiles(dir: string, values: readonly string[]): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  for (const file of filesUnder(dir)) {
    for (const value of valuesInFile(file, values)) (found[value] ??= []).push(relative(dir, file));
  }
  return found;
}
