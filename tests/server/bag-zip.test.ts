// The bag's ZIP (src/server/delivery/bag.ts): a stored file many times the size of the buffers it is
// read through comes out byte for byte, beside deflated ones, and the SHA-256 returned is the file's.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { zipBag } from '../../src/server/delivery/bag';
import { readZip } from '../support/delivery-reader';

const dir = mkdtempSync(join(tmpdir(), 'fieldpen-bag-zip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the bag's ZIP", () => {
  it('holds every file byte for byte, the large stored ones too', async () => {
    const files = [
      { name: 'data/petition.pdf', bytes: randomBytes(5 * 1024 * 1024 + 123) },
      { name: 'data/signatures.csv', bytes: Buffer.from('number,name\r\n'.repeat(50_000)) },
      { name: 'data/cover-letter.pdf', bytes: randomBytes(70_000) },
      { name: 'bagit.txt', bytes: Buffer.from('BagIt-Version: 1.0\n') },
    ];
    for (const f of files) writeFileSync(join(dir, f.name.replace('/', '-')), f.bytes);
    const zipPath = join(dir, 'bag.zip');
    const made = await zipBag(
      zipPath,
      'bag',
      files.map((f) => ({ name: f.name, path: join(dir, f.name.replace('/', '-')) })),
      new Date('2026-11-30T12:00:00Z'),
    );
    const zipBytes = readFileSync(zipPath);
    expect(made.bytes).toBe(zipBytes.length);
    expect(made.sha256).toBe(createHash('sha256').update(zipBytes).digest('hex'));
    const entries = await readZip(zipPath);
    for (const f of files) expect(entries.get(`bag/${f.name}`)?.equals(f.bytes)).toBe(true);
  });
});
