// The build's spool of opened rows (src/server/delivery/opened-spool.ts): what the selection keeps
// comes back to the sheets whole and in order, group by group; on disk it is never in clear; a
// changed byte is refused; and closing removes the file.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OpenedRowSpool } from '../../src/server/delivery/opened-spool';
import type { SignatureRow } from '../../src/server/delivery/signature-rows';

const dir = mkdtempSync(join(tmpdir(), 'fieldpen-spool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function row(i: number, state: string): SignatureRow {
  return {
    id: `0193a7c4-0000-7000-8000-${String(i).padStart(12, '0')}`,
    petition_version: i % 3 === 0 ? 'v-es' : 'v-en',
    language: i % 3 === 0 ? 'es' : 'en',
    captured_at: `2026-10-${String(1 + (i % 28)).padStart(2, '0')}T15:00:00.000Z`,
    given_name: i % 5 === 0 ? `秀英${i}` : `Zoë-${i}`,
    family_name: `Núñez "Quote"\n${i}`,
    street: `${i} Calle Sol`,
    city: 'Columbus',
    state,
    zip: '43215',
    email: i % 2 ? `signer${i}@example.org` : null,
    digest: 'ab'.repeat(32),
    assisted: i % 7 === 0,
    voided: false,
    void_reason: null,
    autograph: `AUTOGRAPH${i}`.repeat(40),
    unreadable: null,
  };
}

async function all(spool: OpenedRowSpool, group: string): Promise<SignatureRow[]> {
  const out: SignatureRow[] = [];
  for await (const r of spool.rows(group)) out.push(r);
  return out;
}

describe('the spool of opened rows', () => {
  it('gives back every row of each group whole and in order, keeps none in clear on disk, and leaves no file', async () => {
    const path = join(dir, 'spool-a');
    const spool = await OpenedRowSpool.create(path);
    const rows = Array.from({ length: 600 }, (_, i) => row(i, i % 2 ? 'OH' : 'PA'));
    const group = (r: SignatureRow) => `${r.state}\t${r.petition_version}`;
    for (const r of rows) await spool.add(group(r), r);
    await spool.finish();
    for (const g of new Set(rows.map(group))) expect(await all(spool, g)).toEqual(rows.filter((r) => group(r) === g));
    expect(await all(spool, 'TX\tv-en')).toEqual([]);

    const bytes = readFileSync(path);
    expect(bytes.length).toBeGreaterThan(600 * 400);
    for (const needle of ['Zoë-1', '秀英5', 'Calle Sol', 'signer1@example.org', 'AUTOGRAPH1', '0193a7c4']) {
      expect(bytes.includes(Buffer.from(needle, 'utf8'))).toBe(false);
    }
    await spool.close();
    expect(existsSync(path)).toBe(false);
  });

  it('refuses a spool whose bytes changed on disk', async () => {
    const path = join(dir, 'spool-b');
    const spool = await OpenedRowSpool.create(path);
    for (let i = 0; i < 50; i++) await spool.add('g', row(i, 'OH'));
    await spool.finish();
    const bytes = readFileSync(path);
    bytes[100] = bytes[100]! ^ 1;
    writeFileSync(path, bytes);
    await expect(all(spool, 'g')).rejects.toThrow('changed');
    await spool.close();
    expect(existsSync(path)).toBe(false);
  });
});
