// The delivery package read back with a recipient's tools: a real ZIP reader, a real PDF parser, a
// real CSV parser and a BagIt validator. On SQLite, and on PostgreSQL under `npm run test:postgres`.
// The records are sealed to the drive's key; the build opens them with the key the passphrase unlocks.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepConflict } from '../../src/server/db/conflicts';
import { migrateToLatest } from '../../src/server/db/migrations';
import { keepRejection } from '../../src/server/db/rejections';
import { insertSignatures } from '../../src/server/db/signatures';
import { buildDelivery, previewDelivery } from '../../src/server/delivery/build';
import { displayName } from '../../src/server/delivery/petition-sheets';
import { nodeBundle } from '../../src/server/delivery/worker-script';
import type { DeliveryBuildResult, DeliveryProgress } from '../../src/shared/delivery';
import { encodeAutograph } from '../../src/shared/autograph-codec';
import { uuidv7 } from '../../src/shared/ids';
import { DEFAULT_TIME_ZONE } from '../../src/shared/local-day';
import type { Signer } from '../../src/shared/schema';
import { autographFixtures } from '../fixtures/autographs';
import { sealedRecord, seedDeliveryDrive, unlockDeliveryDrive, type ClearContent, type SeededDrive } from '../support/delivery-drive';
import { parseCsv, readPdf, readZip, validateBag, type PdfPage } from '../support/delivery-reader';
import { freshDatabase } from './harness';
import type { DatabaseHandle } from '../../src/server/db/connect';

let dir: string;
let database: DatabaseHandle;
let drop: () => Promise<void>;
let seeded: SeededDrive;
let result: DeliveryBuildResult;
let outDir: string;
let files: Map<string, Buffer>;
let pages: PdfPage[];
let rows: Record<string, string>[];
let keyFile: string;
let key: CryptoKey;
/** The first seeded signer's autograph (the fixture it was drawn from). */
const firstAutograph = encodeAutograph(autographFixtures()[0]!);
const progress: DeliveryProgress[] = [];
// Ethiopic: neither Noto Sans nor Noto Sans SC has it.
const UNPRINTABLE = { givenName: 'አበበ', familyName: 'Bekele' };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fieldpen-delivery-'));
  ({ database, drop } = await freshDatabase(dir));
  await migrateToLatest(database.db);
  seeded = await seedDeliveryDrive(database.db, { signatures: 150, repeatEvery: 11, voidEvery: 17, assistedEvery: 10, uniqueNames: true, days: 10 });
  key = await unlockDeliveryDrive(database.db, seeded.driveId);
  const [deviceId] = seeded.deviceIds;
  // A signer whose name no embedded font can draw, a refused record and a clashing delivery.
  const clear: ClearContent = {
    id: uuidv7(Date.parse('2026-10-20T15:00:00Z')),
    deviceId: deviceId!,
    seq: 1000,
    driveId: seeded.driveId,
    petition: { version: seeded.versions.en, language: 'en' },
    volunteer: 'Sam Rivera',
    capturedAt: '2026-10-20T15:00:00.000Z',
  };
  const [first] = seeded.signers;
  await insertSignatures(
    database.db,
    [
      await sealedRecord(seeded.sealKey, clear, {
        signer: { ...UNPRINTABLE, street: '5 Elm Drive', city: 'Columbus', state: 'OH', zip: '43215' },
        autograph: firstAutograph,
      }),
    ],
    DEFAULT_TIME_ZONE,
  );
  await keepRejection(database.db, {
    deviceId: deviceId!,
    recordId: uuidv7(),
    seq: 2000,
    code: 'invalid_field',
    field: 'signer.zip',
    message: 'Enter the ZIP code',
  });
  await keepConflict(database.db, {
    recordId: first!.id,
    deviceId: deviceId!,
    seq: 1,
    digest: 'f'.repeat(64),
    // As a tablet sent it: sealed; the report names the signer only once the drive's key opens it.
    body: await sealedRecord(
      seeded.sealKey,
      { ...clear, id: first!.id, seq: 1, capturedAt: '2026-10-06T12:00:00.000Z' },
      {
        signer: { givenName: 'Conflicting', familyName: 'Copy', street: '1 Elm Drive', city: 'Columbus', state: 'OH', zip: '43215' },
        autograph: firstAutograph,
      },
    ),
    code: 'content_differs',
  });

  keyFile = join(dir, 'delivery-key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'campaign', '-f', keyFile]);
  outDir = join(dir, 'out');
  mkdirSync(outDir);
  result = await buildDelivery(
    database.db,
    seeded.driveId,
    { fields: { street: true, email: false }, perState: false },
    { key, outDir, signingKeyFile: keyFile, onProgress: (p) => progress.push(p) },
  );
  files = validateBag(await readZip(join(outDir, result.packages[0]!.file))).bag.files;
  pages = await readPdf(files.get('data/petition.pdf')!);
  rows = parseCsv(files.get('data/signatures.csv')!);
}, 120_000);

afterAll(async () => {
  await database.close();
  await drop();
  rmSync(dir, { recursive: true, force: true });
});

const delivered = () => seeded.signers.filter((s) => !s.voided && !s.repeatOf);
const fullName = (s: { givenName: string; familyName: string }) => displayName({ given_name: s.givenName, family_name: s.familyName });

describe('the delivery package', () => {
  it('is one valid BagIt bag in a ZIP, every checksum matching, and the report beside it, not in it', async () => {
    expect(readdirSync(outDir).sort()).toEqual([result.packages[0]!.file, result.reportFile].sort());
    const { bag, problems } = validateBag(await readZip(join(outDir, result.packages[0]!.file)));
    expect(problems).toEqual([]);
    expect([...bag.files.keys()].sort()).toEqual(
      [
        'bag-info.txt',
        'bagit.txt',
        'data/counts.csv',
        'data/cover-letter.pdf',
        'data/petition.pdf',
        'data/signatures.csv',
        'manifest-sha256.txt',
        'tagmanifest-sha256.txt',
        'tagmanifest-sha256.txt.sig',
      ].sort(),
    );
    const zip = readFileSync(join(outDir, result.packages[0]!.file));
    expect(result.packages[0]!.bytes).toBe(zip.length);
    expect(result.packages[0]!.sha256).toBe((await import('node:crypto')).createHash('sha256').update(zip).digest('hex'));
  });

  it('delivers every standing signer once, in the PDF and the CSV, and no one left out', () => {
    const items = pages.flatMap((p) => p.text);
    const count = (name: string) => items.filter((t) => t === name).length;
    const expected = delivered();
    expect(expected.some((s) => /^[\u4e00-\u9fff]+$/.test(fullName(s)))).toBe(true);
    expect(expected.some((s) => /[áéíóúñü]/i.test(fullName(s)))).toBe(true);
    for (const s of expected) expect(count(fullName(s)), fullName(s)).toBe(1);
    const csvIds = new Set(rows.map((r) => r.record_id));
    for (const s of expected) expect(csvIds.has(s.id)).toBe(true);
    const deliveredNames = new Set(expected.map(fullName));
    for (const s of seeded.signers.filter((s) => s.voided || s.repeatOf)) {
      expect(csvIds.has(s.id)).toBe(false);
      if (!deliveredNames.has(fullName(s))) expect(count(fullName(s)), fullName(s)).toBe(0);
    }
    expect(items.join('\n')).not.toContain('Conflicting');
  });

  it('agrees on pages and rows across the PDF, the CSV, counts.csv and bag-info.txt', () => {
    const total = delivered().length + 1;
    expect(rows.length).toBe(total);
    expect(result.counts.signatures).toBe(total);
    const info = Object.fromEntries(validateBag(new Map([...files].map(([k, v]) => [`bag/${k}`, v]))).bag.info);
    expect(Number(info.Signatures)).toBe(total);
    expect(Number(info.Pages)).toBe(pages.length);
    expect(result.packages[0]!.pages).toBe(pages.length);
    // Rows numbered 1…n; each page's count printed on it and equal to its rows in the CSV.
    expect(rows.map((r) => Number(r.number))).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    pages.forEach((page, i) => {
      const onPage = rows.filter((r) => Number(r.page) === i + 1).length;
      expect(onPage).toBeGreaterThan(0);
      expect(onPage).toBeLessThanOrEqual(20);
      expect(page.text).toContain(`Page ${i + 1} of ${pages.length}`);
      expect(page.text).toContain(`Signatures on this page: ${onPage}`);
    });
    const counts = parseCsv(files.get('data/counts.csv')!);
    expect(Number(counts.find((c) => c.state === '(all states)')!.signatures)).toBe(total);
    const perDay = counts.filter((c) => !c.state!.startsWith('(') && !c.city!.startsWith('('));
    expect(perDay.reduce((n, c) => n + Number(c.signatures), 0)).toBe(total);
    expect(progress.at(-1)).toEqual({ pagesDone: pages.length, pagesTotal: pages.length, signaturesDone: total, signaturesTotal: total });
  });

  it('draws each autograph as vector paths, one subpath per stroke, and no image', () => {
    const strokesOf = new Map(seeded.signers.map((s) => [s.id, s.strokes]));
    // The unprintable signer carries the first signer's autograph.
    strokesOf.set(rows.find((r) => r.given_name === UNPRINTABLE.givenName)!.record_id!, seeded.signers[0]!.strokes);
    pages.forEach((page, i) => {
      expect(page.images).toBe(0);
      const expected = rows.filter((r) => Number(r.page) === i + 1).map((r) => strokesOf.get(r.record_id!));
      expect(page.autographs).toEqual(expected);
    });
    expect(rows.some((r) => r.signed_with_assistance === 'yes')).toBe(true);
    expect(pages.flatMap((p) => p.text).filter((t) => t === 'signed with assistance').length).toBe(
      rows.filter((r) => r.signed_with_assistance === 'yes').length,
    );
  });

  it('prints a note for a name no font can draw, keeps the name in the CSV and lists it in the report', () => {
    const text = pages.flatMap((p) => p.text).join('\n');
    const row = rows.find((r) => r.given_name === UNPRINTABLE.givenName)!;
    expect(row).toBeDefined();
    expect(text).not.toContain(UNPRINTABLE.givenName);
    expect(text).toContain(`(see row ${row.number} of signatures.csv)`);
    const report = parseCsv(readFileSync(join(outDir, result.reportFile)));
    expect(report.find((r) => r.reason === 'unprintable_name')?.record_id).toBe(row.record_id);
    expect(result.excluded.unrenderable).toBe(1);
  });

  it('lists every exclusion with its reason in the campaign report', () => {
    const report = parseCsv(readFileSync(join(outDir, result.reportFile)));
    const ids = (reason: string) =>
      report
        .filter((r) => r.reason === reason)
        .map((r) => r.record_id)
        .sort();
    expect(ids('voided')).toEqual(
      seeded.signers
        .filter((s) => s.voided)
        .map((s) => s.id)
        .sort(),
    );
    expect(ids('repeat')).toEqual(
      seeded.signers
        .filter((s) => s.repeatOf && !s.voided)
        .map((s) => s.id)
        .sort(),
    );
    for (const r of report.filter((r) => r.reason === 'repeat')) expect(r.repeat_of).toBe(seeded.signers.find((s) => s.id === r.record_id)!.repeatOf);
    expect(report.filter((r) => r.reason === 'rejected')).toHaveLength(1);
    expect(report.filter((r) => r.reason === 'conflict').map((r) => r.name)).toEqual(['Conflicting Copy']);
    expect(report.filter((r) => r.reason === 'unreadable')).toEqual([]);
    expect(result.excluded).toMatchObject({ rejected: 1, conflict: 1, voided: ids('voided').length, repeat: ids('repeat').length });
  });

  it('gives the recipient no volunteer, device or street left unticked, and no email', () => {
    const everything = [...files.values()].map((b) => b.toString('utf8')).join('\n') + pages.flatMap((p) => p.text).join('\n');
    for (const volunteer of ['Sam Rivera', 'Lee Chen', 'Ana Torres']) expect(everything).not.toContain(volunteer);
    for (const device of seeded.deviceIds) expect(everything).not.toContain(device);
    expect(everything).not.toContain('@example.org');
    expect(Object.keys(rows[0]!)).not.toContain('email');
    expect(Object.keys(rows[0]!)).toContain('street');
  });

  it('signs the tag manifest so that ssh-keygen -Y verify accepts it, and refuses a changed one', () => {
    const work = join(dir, 'verify');
    mkdirSync(work);
    const manifest = files.get('tagmanifest-sha256.txt')!;
    writeFileSync(join(work, 'sig'), files.get('tagmanifest-sha256.txt.sig')!);
    writeFileSync(join(work, 'allowed'), `campaign ${readFileSync(`${keyFile}.pub`, 'utf8')}`);
    const verify = (input: Buffer) =>
      execFileSync('ssh-keygen', ['-Y', 'verify', '-f', join(work, 'allowed'), '-I', 'campaign', '-n', 'fieldpen-delivery', '-s', join(work, 'sig')], {
        input,
        stdio: 'pipe',
      }).toString();
    expect(verify(manifest)).toContain('Good "fieldpen-delivery" signature');
    expect(() => verify(Buffer.concat([manifest, Buffer.from('x')]))).toThrow();
  });

  it('makes one package per state, each with only its state', async () => {
    const perStateDir = join(dir, 'per-state');
    mkdirSync(perStateDir);
    const built = await buildDelivery(
      database.db,
      seeded.driveId,
      { fields: { street: false, email: true }, perState: true, states: ['OH', 'PA'] },
      { key, outDir: perStateDir },
    );
    expect(built.packages.map((p) => p.state)).toEqual(['OH', 'PA']);
    for (const pkg of built.packages) {
      const { bag, problems } = validateBag(await readZip(join(perStateDir, pkg.file)));
      expect(problems).toEqual([]);
      const csv = parseCsv(bag.files.get('data/signatures.csv')!);
      expect(new Set(csv.map((r) => r.state))).toEqual(new Set([pkg.state]));
      expect(csv.length).toBe(pkg.signatures);
      expect(Object.keys(csv[0]!)).not.toContain('street');
      expect(Object.keys(csv[0]!)).toContain('email');
    }
  });
});

describe('repeat signers', () => {
  it('finds the same signer across two tablets and two cities however typed, and lets the organizer keep one', async () => {
    const [tabletA, tabletB] = seeded.deviceIds;
    const record = (deviceId: string, seq: number, at: string, signer: Signer) =>
      sealedRecord(
        seeded.sealKey,
        {
          id: uuidv7(Date.parse(at)),
          deviceId,
          seq,
          driveId: seeded.driveId,
          petition: { version: seeded.versions.es, language: 'es' },
          volunteer: 'Lee Chen',
          capturedAt: at,
        },
        { signer, autograph: firstAutograph },
      );
    const first = await record(tabletA!, 3001, '2026-11-02T16:00:00.000Z', {
      givenName: 'José Luis',
      familyName: 'Peña Ibáñez',
      street: '1200 North Elm Street Apt 4',
      city: 'Columbus',
      state: 'OH',
      zip: '43215',
    });
    const again = await record(tabletB!, 3001, '2026-11-09T18:30:00.000Z', {
      givenName: 'JOSE  LUIS',
      familyName: 'pena ibanez',
      street: '1200 N. Elm St., #4',
      city: 'Cleveland',
      state: 'OH',
      zip: '43215-0042',
    });
    await insertSignatures(database.db, [first, again], DEFAULT_TIME_ZONE);
    const options = { fields: { street: true, email: false }, perState: false, from: '2026-11-01', to: '2026-11-30' };
    const preview = await previewDelivery(database.db, seeded.driveId, options, { key });
    expect(preview.excluded.repeat.find((r) => r.id === again.id)).toMatchObject({ repeatOf: first.id, city: 'Cleveland' });
    const kept = await previewDelivery(database.db, seeded.driveId, { ...options, repeatOverrides: { [again.id]: 'include', [first.id]: 'exclude' } }, { key });
    expect(kept.excluded.repeat.find((r) => r.id === first.id)).toMatchObject({ repeatOf: again.id });
    expect(kept.excluded.repeat.find((r) => r.id === again.id)).toBeUndefined();
    expect(kept.signatures).toBe(preview.signatures);
  });

  it("counts days in the drive's own time zone", async () => {
    await database.db.updateTable('drives').set({ time_zone: 'Pacific/Honolulu' }).where('id', '=', seeded.driveId).execute();
    const honolulu = await sealedRecord(
      seeded.sealKey,
      {
        id: uuidv7(Date.parse('2026-11-20T08:00:00Z')),
        deviceId: seeded.deviceIds[1]!,
        seq: 4001,
        driveId: seeded.driveId,
        petition: { version: seeded.versions.en, language: 'en' },
        volunteer: 'Ana Torres',
        capturedAt: '2026-11-20T08:00:00.000Z',
      },
      {
        signer: { givenName: 'Keoni', familyName: 'Kahale', street: '3 Kapiolani Blvd', city: 'Honolulu', state: 'HI', zip: '96813' },
        autograph: firstAutograph,
      },
    );
    await insertSignatures(database.db, [honolulu], 'Pacific/Honolulu');
    const on = async (day: string) =>
      (
        await previewDelivery(
          database.db,
          seeded.driveId,
          { fields: { street: false, email: false }, perState: false, states: ['HI'], from: day, to: day },
          { key },
        )
      ).signatures;
    // 08:00 UTC on the 20th is 22:00 on the 19th in Honolulu.
    expect(await on('2026-11-19')).toBe(1);
    expect(await on('2026-11-20')).toBe(0);
  });
});

describe('records that do not open', () => {
  it('leaves out a tampered record and one whose sealed place differs from its clear one, as unreadable, and still builds', async () => {
    const options = { fields: { street: false, email: false }, perState: false } as const;
    const before = await previewDelivery(database.db, seeded.driveId, options, { key });
    // A delivered signer's sealed details altered on the server's disk: one character of the ciphertext.
    const victim = delivered().find((s) => s.id !== seeded.signers[0]!.id)!;
    const { sealed } = await database.db.selectFrom('signatures').select('sealed').where('id', '=', victim.id).executeTakeFirstOrThrow();
    const at = sealed!.length - 10;
    const tampered = sealed!.slice(0, at) + (sealed![at] === 'A' ? 'B' : 'A') + sealed!.slice(at + 1);
    await database.db.updateTable('signatures').set({ sealed: tampered }).where('id', '=', victim.id).execute();
    // A record counted in Columbus whose sealed details say Dayton.
    const elsewhere = await sealedRecord(
      seeded.sealKey,
      {
        id: uuidv7(Date.parse('2026-10-21T15:00:00Z')),
        deviceId: seeded.deviceIds[2]!,
        seq: 5001,
        driveId: seeded.driveId,
        petition: { version: seeded.versions.en, language: 'en' },
        volunteer: 'Sam Rivera',
        capturedAt: '2026-10-21T15:00:00.000Z',
      },
      {
        signer: { givenName: 'Misplaced', familyName: 'Person', street: '9 Oak Avenue', city: 'Dayton', state: 'OH', zip: '45402' },
        autograph: firstAutograph,
      },
    );
    await insertSignatures(database.db, [{ ...elsewhere, place: { city: 'Columbus', state: 'OH' } }], DEFAULT_TIME_ZONE);

    const preview = await previewDelivery(database.db, seeded.driveId, options, { key });
    expect(preview.excluded.unreadable.map((u) => u.id).sort()).toEqual([victim.id, elsewhere.id].sort());
    expect(preview.excluded.unreadable.every((u) => u.name === null)).toBe(true);
    expect(preview.signatures).toBe(before.signatures - 1);

    const out = join(dir, 'unreadable');
    mkdirSync(out);
    const built = await buildDelivery(database.db, seeded.driveId, options, { key, outDir: out });
    expect(built.excluded.unreadable).toBe(2);
    const { bag, problems } = validateBag(await readZip(join(out, built.packages[0]!.file)));
    expect(problems).toEqual([]);
    const csv = parseCsv(bag.files.get('data/signatures.csv')!);
    expect(csv.length).toBe(before.signatures - 1);
    const ids = new Set(csv.map((r) => r.record_id));
    expect(ids.has(victim.id) || ids.has(elsewhere.id)).toBe(false);
    const text = (await readPdf(bag.files.get('data/petition.pdf')!)).flatMap((p) => p.text).join('\n');
    expect(text).not.toContain('Misplaced');
    const report = parseCsv(readFileSync(join(out, built.reportFile)));
    expect(
      report
        .filter((r) => r.reason === 'unreadable')
        .map((r) => r.record_id)
        .sort(),
    ).toEqual([victim.id, elsewhere.id].sort());
    expect(report.find((r) => r.record_id === elsewhere.id)!.detail).toContain('city or state');

    // As the delivery job builds: a second thread opens the records too. The same rows, the same two left out.
    const laned = join(dir, 'unreadable-lane');
    mkdirSync(laned);
    const openerScript = await nodeBundle(fileURLToPath(new URL('../../src/server/delivery/opener-thread.ts', import.meta.url)));
    const builtLaned = await buildDelivery(database.db, seeded.driveId, options, { key, outDir: laned, openerScript });
    expect(builtLaned.excluded).toEqual(built.excluded);
    const lanedBag = validateBag(await readZip(join(laned, builtLaned.packages[0]!.file)));
    expect(lanedBag.problems).toEqual([]);
    expect(lanedBag.bag.files.get('data/signatures.csv')).toEqual(bag.files.get('data/signatures.csv'));
    // The build's spool of opened rows is gone: only the ZIP and the report are left.
    expect(readdirSync(laned).sort()).toEqual([builtLaned.packages[0]!.file, builtLaned.reportFile].sort());
  });

  it('opens nothing with another drive key: every record is unreadable and nothing is delivered', async () => {
    const other = (await import('../support/records')).testDriveKey;
    const preview = await previewDelivery(
      database.db,
      seeded.driveId,
      { fields: { street: false, email: false }, perState: false },
      { key: (await other()).privateKey },
    );
    expect(preview.signatures).toBe(0);
    expect(preview.excluded.unreadable.length).toBeGreaterThan(100);
  });
});
