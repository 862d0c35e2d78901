// `npm run sample-delivery`: a drive of a few hundred realistic signers (several states, Spanish and
// Chinese names and texts, assisted signatures, repeats and voids, autographs from the fixtures),
// its delivery package, and PNGs of the first pages of both PDFs, in delivery-sample/ (git-ignored):
// what an office receives, to look at.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase } from '../../src/server/db/connect';
import { migrateToLatest } from '../../src/server/db/migrations';
import { buildDelivery } from '../../src/server/delivery/build';
import { seedDeliveryDrive, unlockDeliveryDrive } from './delivery-drive';

const out = resolve(process.argv[2] ?? 'delivery-sample');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'fieldpen-sample-'));
const database = openDatabase({ file: join(work, 'fieldpen.sqlite') });
try {
  await migrateToLatest(database.db);
  const seeded = await seedDeliveryDrive(database.db, { signatures: 320, repeatEvery: 23, voidEvery: 29, assistedEvery: 15 });
  // As the organizer does on the dashboard: the drive's passphrase opens its sealed signers for the build.
  const key = await unlockDeliveryDrive(database.db, seeded.driveId);
  const result = await buildDelivery(database.db, seeded.driveId, { fields: { street: true, email: false }, perState: false }, { key, outDir: out });
  const zip = join(out, result.packages[0]!.file);
  execFileSync('unzip', ['-q', '-o', zip, '-d', out]);
  const bag = join(out, result.packages[0]!.file.replace(/\.zip$/, ''));
  for (const pdf of ['petition', 'cover-letter']) {
    execFileSync('pdftoppm', ['-png', '-r', '110', '-f', '1', '-l', '2', join(bag, 'data', `${pdf}.pdf`), join(out, pdf)]);
  }
  console.log(`${result.counts.signatures} signatures on ${result.counts.pages} pages; left out: ${JSON.stringify(result.excluded)}`);
  console.log(`Package: ${zip} (${result.packages[0]!.bytes} bytes, SHA-256 ${result.packages[0]!.sha256})`);
  console.log(`Unpacked bag: ${bag}`);
  console.log(
    `Pages as PNG: ${readdirSync(out)
      .filter((f) => f.endsWith('.png'))
      .map((f) => join(out, f))
      .join(', ')}`,
  );
} finally {
  await database.close();
  rmSync(work, { recursive: true, force: true });
}
