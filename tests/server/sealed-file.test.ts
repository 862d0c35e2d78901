// A delivery at rest is sealed to the drive's key: it opens to the very bytes built, with the drive's
// private key only, for that file only; a changed, cut or moved file is refused.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, truncateSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSealedFile, sealedFileSize, sealFileInPlace } from '../../src/server/delivery/sealed-file';
import { generateDriveKeyPair, importDrivePublicKey } from '../../src/shared/signer-seal';

const dir = mkdtempSync(join(tmpdir(), 'fieldpen-sealed-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function readAll(chunks: AsyncGenerator<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts);
}

describe('a sealed delivery file', () => {
  it('opens to exactly the bytes built, whatever their size, and leaves no clear copy', async () => {
    const drive = await generateDriveKeyPair();
    const publicKey = await importDrivePublicKey(drive.publicKey);
    for (const size of [0, 1, 65_536, 65_537, 300_000]) {
      const path = join(dir, `petition-${size}.zip`);
      const content = randomBytes(size);
      writeFileSync(path, content);
      const context = { driveId: 'drive-1', recordId: `delivery/d1/petition-${size}.zip` };
      const sealed = await sealFileInPlace(path, publicKey, context);
      expect(existsSync(path)).toBe(false);
      if (size > 32) expect(readFileSync(sealed).includes(content.subarray(0, 32))).toBe(false);
      expect(sealedFileSize(sealed)).toBe(size);
      expect((await readAll(await openSealedFile(sealed, drive.privateKey, context))).equals(content)).toBe(true);
    }
  });

  it('does not open with another drive key, for another file, changed, or cut short', async () => {
    const drive = await generateDriveKeyPair();
    const other = await generateDriveKeyPair();
    const path = join(dir, 'signatures.csv');
    writeFileSync(path, randomBytes(200_000));
    const context = { driveId: 'drive-1', recordId: 'delivery/d2/signatures.csv' };
    const sealed = await sealFileInPlace(path, await importDrivePublicKey(drive.publicKey), context);

    await expect(openSealedFile(sealed, other.privateKey, context)).rejects.toThrow();
    await expect(openSealedFile(sealed, drive.privateKey, { ...context, recordId: 'delivery/d3/signatures.csv' })).rejects.toThrow();

    const bytes = readFileSync(sealed);
    bytes[bytes.length - 70_000]! ^= 1;
    writeFileSync(sealed, bytes);
    await expect(readAll(await openSealedFile(sealed, drive.privateKey, context))).rejects.toThrow(/changed or cut short/);

    bytes[bytes.length - 70_000]! ^= 1;
    writeFileSync(sealed, bytes);
    truncateSync(sealed, statSync(sealed).size - 20);
    await expect(readAll(await openSealedFile(sealed, drive.privateKey, context))).rejects.toThrow(/changed or cut short/);
  });
});
