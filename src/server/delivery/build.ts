// The delivery package, built in one call: the preview the organizer reviews, and the build that
// writes the ZIPs and the campaign's report. Plain data in and out, no shared in-memory state, so a
// worker thread can run it; the caller owns the job (table, progress, temp folder and rename).
//
// Two passes over the drive's signatures, in the order of signing: the first (selection.ts) reads and
// opens every record, decides who goes in and counts pages, keeping what the sheets need in a sealed
// spool (opened-spool.ts); the second streams the spooled rows with their autographs into the sheets
// and the CSV, page by page. Then the counts, the cover letter, the bag's tag files and the ZIP.
import { mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { DeliveryBuildResult, DeliveryOptions, DeliveryPackageFile, DeliveryPreview, DeliveryProgress } from '../../shared/delivery';
import type { Database } from '../db/schema';
import { writeTagFiles, zipBag, type BagFile } from './bag';
import { perState, writeCountsCsv } from './counts';
import { writeCoverLetter } from './cover-letter';
import { CsvWriter } from './csv';
import { DeliveryError } from './delivery-error';
import { FontCoverage, loadFonts, type FontBytes } from './fonts';
import { OpenedRowSpool } from './opened-spool';
import { PetitionSheets } from './petition-sheets';
import { deliveredBy, selectSignatures, spoolGroup, type DriveAccess, type PackagePlan, type Selection } from './selection';
import { signFile, signingKeyFile } from './signing';

export { DeliveryError } from './delivery-error';

const FIELDPEN_VERSION = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;

export type { DriveAccess } from './selection';

export interface BuildDeliveryOptions extends DriveAccess {
  /** An existing, empty folder: one ZIP per package and the exclusions report go here. */
  outDir: string;
  onProgress?: (progress: DeliveryProgress) => void;
  /** An OpenSSH private key: the tag manifest is signed with it (default: env DELIVERY_SIGNING_KEY). */
  signingKeyFile?: string;
  /** The build's clock (tests): the snapshot and the created-at. */
  now?: Date;
}

export async function previewDelivery(db: Kysely<Database>, driveId: string, options: DeliveryOptions, access: DriveAccess): Promise<DeliveryPreview> {
  const selection = await selectSignatures(db, driveId, access, options, new FontCoverage(loadFonts()));
  return {
    driveId,
    signatures: selection.signatures,
    pages: selection.pages,
    packages: selection.packages.map((p) => ({ ...(p.state !== undefined ? { state: p.state } : {}), signatures: p.signatures, pages: p.pages })),
    perState: perStateOf(selection),
    excluded: selection.exclusions,
    unrenderable: selection.unrenderable,
  };
}

function perStateOf(selection: Selection): { state: string; signatures: number }[] {
  const totals = new Map<string, number>();
  for (const plan of selection.packages) for (const s of perState(plan)) totals.set(s.state, (totals.get(s.state) ?? 0) + s.signatures);
  return [...totals.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([state, signatures]) => ({ state, signatures }));
}

/** File-name safe. */
const slug = (s: string) => s.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'drive';

export async function buildDelivery(
  db: Kysely<Database>,
  driveId: string,
  options: DeliveryOptions,
  build: BuildDeliveryOptions,
): Promise<DeliveryBuildResult> {
  const createdAt = build.now ?? new Date();
  const fonts = loadFonts();
  const coverage = new FontCoverage(fonts);
  const spool = await OpenedRowSpool.create(join(build.outDir, '.opened-rows'));
  try {
    const selection = await selectSignatures(db, driveId, build, options, coverage, createdAt, spool);
    if (selection.signatures === 0) throw new DeliveryError('nothing_to_deliver', 'No signature matches these choices: nothing to deliver.');
    await spool.finish();
    return await writePackages(selection, spool, fonts, coverage, createdAt, build);
  } finally {
    await spool.close();
  }
}

async function writePackages(
  selection: Selection,
  spool: OpenedRowSpool,
  fonts: FontBytes,
  coverage: FontCoverage,
  createdAt: Date,
  build: BuildDeliveryOptions,
): Promise<DeliveryBuildResult> {
  const keyFile = signingKeyFile(build.signingKeyFile);
  const base = `fieldpen-${slug(selection.drive.id)}-${createdAt.toISOString().slice(0, 10)}`;
  const progress: DeliveryProgress = { pagesDone: 0, pagesTotal: selection.pages, signaturesDone: 0, signaturesTotal: selection.signatures };
  build.onProgress?.({ ...progress });

  const packages: DeliveryPackageFile[] = [];
  for (const [i, plan] of selection.packages.entries()) {
    const bagName = plan.state ? `${base}-${plan.state}` : base;
    const work = join(build.outDir, `.building-${i}`);
    try {
      const made = await buildPackage({
        spool,
        selection,
        plan,
        fonts,
        coverage,
        createdAt,
        keyFile,
        bagName,
        work,
        zipPath: join(build.outDir, `${bagName}.zip`),
        progress,
        onProgress: build.onProgress,
      });
      packages.push({
        file: `${bagName}.zip`,
        ...(plan.state !== undefined ? { state: plan.state } : {}),
        ...made,
        signatures: plan.signatures,
        pages: plan.pages,
      });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  const reportFile = `${base}-exclusions.csv`;
  await writeExclusionsReport(join(build.outDir, reportFile), selection);
  const { exclusions } = selection;
  return {
    packages,
    reportFile,
    counts: { signatures: selection.signatures, pages: selection.pages, perState: perStateOf(selection) },
    excluded: {
      voided: exclusions.voided.length,
      rejected: exclusions.rejected.length,
      conflict: exclusions.conflict.length,
      repeat: exclusions.repeat.length,
      unreadable: exclusions.unreadable.length,
      unrenderable: selection.unrenderable.length,
    },
  };
}

interface PackageJob {
  spool: OpenedRowSpool;
  selection: Selection;
  plan: PackagePlan;
  fonts: FontBytes;
  coverage: FontCoverage;
  createdAt: Date;
  keyFile: string | undefined;
  bagName: string;
  work: string;
  zipPath: string;
  progress: DeliveryProgress;
  onProgress: ((p: DeliveryProgress) => void) | undefined;
}

async function buildPackage(job: PackageJob): Promise<{ sha256: string; bytes: number }> {
  const { selection, plan, progress } = job;
  const { drive, options } = selection;
  const bagDir = join(job.work, job.bagName);
  const dataDir = join(bagDir, 'data');
  await mkdir(dataDir, { recursive: true });
  const file = (name: string): BagFile => ({ name: `data/${name}`, path: join(dataDir, name) });
  const payload = [file('cover-letter.pdf'), file('petition.pdf'), file('signatures.csv'), file('counts.csv')] as const;

  const sheets = new PetitionSheets(payload[1].path, {
    drive,
    options,
    plan,
    fonts: job.fonts,
    coverage: job.coverage,
    unrenderable: new Set(selection.unrenderable.map((u) => u.id)),
    createdAt: job.createdAt,
  });
  const csv = new CsvWriter(payload[2].path, [
    'number',
    'record_id',
    'given_name',
    'family_name',
    ...(options.fields.street ? ['street'] : []),
    'city',
    'state',
    'zip',
    ...(options.fields.email ? ['email'] : []),
    'date_signed',
    'signed_at_utc',
    'signed_with_assistance',
    'petition_version',
    'language',
    'page',
    'digest',
  ]);
  const delivered = deliveredBy(selection);
  let page = 0;
  for (const version of plan.versions) {
    sheets.startVersion(version.version, version.signatures);
    let written = 0;
    for await (const row of job.spool.rows(spoolGroup(plan.state, version.version))) {
      if (!delivered(row)) continue;
      // The first pass counted these pages; a row it did not count would break "page x of y".
      if (written === version.signatures) break;
      const number = sheets.addRow(row);
      if (written % 20 === 0) page++;
      written++;
      await csv.row([
        number,
        row.id,
        row.given_name,
        row.family_name,
        ...(options.fields.street ? [row.street] : []),
        row.city,
        row.state,
        row.zip,
        ...(options.fields.email ? [row.email ?? ''] : []),
        drive.dayOf(row.captured_at),
        row.captured_at,
        row.assisted ? 'yes' : 'no',
        row.petition_version,
        row.language,
        page,
        row.digest,
      ]);
      progress.signaturesDone++;
      if (written % 20 === 0 || written === version.signatures) {
        progress.pagesDone++;
        job.onProgress?.({ ...progress });
        await sheets.drain();
      }
    }
    if (written !== version.signatures) throw new Error(`Delivery pass mismatch: ${written} of ${version.signatures} rows for a petition version`);
  }
  await Promise.all([sheets.end(), csv.end()]);
  await writeCountsCsv(payload[3].path, plan);
  await writeCoverLetter(payload[0].path, { drive, plan, fonts: job.fonts, coverage: job.coverage, createdAt: job.createdAt });

  const period = plan.firstDay && plan.lastDay ? `${plan.firstDay}/${plan.lastDay}` : '';
  const info: [string, string | number][] = [
    ['Bagging-Date', job.createdAt.toISOString().slice(0, 10)],
    ['Bag-Software-Agent', `Fieldpen ${FIELDPEN_VERSION}`],
    ['External-Description', `Petition signatures of the drive "${drive.title}": cover letter, signature sheets, signatures and counts.`],
    ['Drive-Id', drive.id],
    ['Drive-Title', drive.title],
    ...(drive.recipient ? [['Recipient', drive.recipient] as [string, string]] : []),
    ...(plan.state !== undefined ? [['State', plan.state] as [string, string]] : []),
    ['Signatures', plan.signatures],
    ['Pages', plan.pages],
    ...perState(plan).map((s) => ['Signatures-Per-State', `${s.state} ${s.signatures}`] as [string, string]),
    ['Collection-Period', period],
    ['Created-At', job.createdAt.toISOString()],
    ['Fieldpen-Version', FIELDPEN_VERSION],
  ];
  const keyFile = job.keyFile;
  const { tagFiles } = await writeTagFiles(bagDir, payload, info, keyFile ? (f) => signFile(f, keyFile) : undefined);
  return zipBag(job.zipPath, job.bagName, [...tagFiles, ...payload], job.createdAt);
}

/** The campaign's own list of who was left out and why (never inside a bag). */
async function writeExclusionsReport(path: string, selection: Selection): Promise<void> {
  const csv = new CsvWriter(path, ['reason', 'record_id', 'repeat_of', 'name', 'city', 'state', 'signed_at_utc', 'detail']);
  const { exclusions } = selection;
  for (const reason of ['voided', 'rejected', 'conflict'] as const) {
    for (const e of exclusions[reason]) await csv.row([reason, e.id, '', e.name, e.city, e.state, e.capturedAt, e.detail]);
  }
  for (const e of exclusions.repeat) await csv.row(['repeat', e.id, e.repeatOf, e.name, e.city, e.state, e.capturedAt, e.detail]);
  for (const e of exclusions.unreadable) await csv.row(['unreadable', e.id, '', '', e.city, e.state, e.capturedAt, e.detail]);
  for (const u of selection.unrenderable) {
    await csv.row([
      'unprintable_name',
      u.id,
      '',
      '',
      '',
      '',
      '',
      `delivered; no font has ${u.missing.join(' ')}, so the sheet prints a note and signatures.csv has the name`,
    ]);
  }
  await csv.end();
}
