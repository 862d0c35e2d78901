// Who is delivered, and who is left out and why: the first pass of a build (and the whole of the
// preview). It reads the drive's signatures in order without their autographs, applies the
// organizer's filters, finds repeat signers and counts everything the second pass needs before it
// writes a byte ("page x of y" needs y). Memory: the repeat map, the exclusions and the tallies,
// never the delivered rows. A record that does not open with the drive's key is left out as
// unreadable, never delivered. In a build, every row that may be delivered goes into the build's
// sealed spool as it is opened (opened-spool.ts), so the sheets never open a record again.
import type { Kysely } from 'kysely';
import type { DeliveryExclusions, DeliveryOptions, ExcludedSigner, UnrenderableName } from '../../shared/delivery';
import { foldText } from '../../shared/signer-key';
import type { Database } from '../db/schema';
import { openerOf, openSealedDetails } from '../signer-access';
import { driveFacts, type DriveFacts } from './drive-facts';
import type { FontCoverage } from './fonts';
import type { OpenedRowSpool } from './opened-spool';
import { OpenerLane } from './opener-lane';
import { RepeatSigners } from './repeat-signers';
import { signatureRows, type SignatureRow } from './signature-rows';

/** Signers on one sheet, as on a paper petition. */
export const ROWS_PER_PAGE = 20;

export interface VersionPlan {
  version: string;
  signatures: number;
  pages: number;
}

export interface PackagePlan {
  /** Set when the delivery makes one package per state. */
  state?: string;
  signatures: number;
  pages: number;
  /** Sheets go version by version (each sheet is headed by the text its signers signed), oldest text first. */
  versions: VersionPlan[];
  /** Delivered signatures per `state \t city \t day`. */
  tallies: Map<string, number>;
  firstDay: string | null;
  lastDay: string | null;
}

export interface Selection {
  drive: DriveFacts;
  /** The snapshot both passes read (signature-rows.ts). */
  asOf: string;
  options: DeliveryOptions;
  packages: PackagePlan[];
  signatures: number;
  pages: number;
  /** Signatures that pass the filters and are not voided but are left out as repeats. */
  excludedRepeats: Set<string>;
  exclusions: DeliveryExclusions;
  /** Delivered signers with a printed field no font can draw (the sheet prints a note instead). */
  unrenderable: UnrenderableName[];
}

/** The fields printed on the sheet for this row, as the recipient gets them. */
export function printedText(row: Pick<SignatureRow, 'given_name' | 'family_name' | 'street' | 'city'>, options: DeliveryOptions): string {
  return [row.given_name, row.family_name, options.fields.street ? row.street : '', row.city].join(' ');
}

/** Filters on the row's own fields (not the repeat check). */
export function rowMatcher(options: DeliveryOptions, dayOf: (isoUtc: string) => string): (row: SignatureRow) => boolean {
  const states = options.states?.length ? new Set(options.states) : undefined;
  const cities = options.cities?.length ? new Set(options.cities.map(foldText)) : undefined;
  const versions = options.petitionVersions?.length ? new Set(options.petitionVersions) : undefined;
  const { from, to } = options;
  return (row) => {
    if (states && !states.has(row.state as never)) return false;
    if (versions && !versions.has(row.petition_version)) return false;
    if (cities && !cities.has(foldText(row.city))) return false;
    if (from !== undefined || to !== undefined) {
      const day = dayOf(row.captured_at);
      if (from !== undefined && day < from) return false;
      if (to !== undefined && day > to) return false;
    }
    return true;
  };
}

/** The spool group a delivered row's sheets read: its package (a state, or the one package) and its petition version. */
export const spoolGroup = (packageState: string | undefined, petitionVersion: string) => `${packageState ?? ''}\t${petitionVersion}`;

function signerOf(row: SignatureRow) {
  return { givenName: row.given_name, familyName: row.family_name, street: row.street, zip: row.zip };
}

/** A record whose details did not open: its clear place and time only. */
function unreadableOf(row: SignatureRow, detail: string): ExcludedSigner {
  return { id: row.id, name: null, city: row.city, state: row.state, capturedAt: row.captured_at, detail };
}

function excludedOf(row: SignatureRow, detail: string): ExcludedSigner {
  return { id: row.id, name: `${row.given_name} ${row.family_name}`, city: row.city, state: row.state, capturedAt: row.captured_at, detail };
}

/** What opens the drive's records: its private key, unlocked for this one preview or build (signer-access.ts). */
export interface DriveAccess {
  key: CryptoKey;
  /** A bundle of opener-thread.ts (worker-script.ts): records are opened on a second thread too (opener-lane.ts). */
  openerScript?: string | undefined;
}

export async function selectSignatures(
  db: Kysely<Database>,
  driveId: string,
  access: DriveAccess,
  options: DeliveryOptions,
  coverage: FontCoverage,
  now = new Date(),
  /** A build's spool: every row the sheets may print goes into it, with its autograph, in order. */
  spool?: OpenedRowSpool,
): Promise<Selection> {
  const asOf = now.toISOString();
  const drive = await driveFacts(db, driveId);
  const matches = rowMatcher(options, drive.dayOf);
  const overrides = options.repeatOverrides ?? {};
  const repeats = new RepeatSigners();
  const exclusions: DeliveryExclusions = { voided: [], rejected: [], conflict: [], repeat: [], unreadable: [] };
  const excludedRepeats = new Set<string>();
  const unrenderable: UnrenderableName[] = [];
  const plans = new Map<string, { plan: PackagePlan; perVersion: Map<string, number> }>();
  // Firsts the organizer chose to leave out: decided once a repeat of theirs turns up.
  const heldFirsts = new Map<string, SignatureRow>();
  const partnerOf = new Map<string, string>();

  const count = (row: SignatureRow) => {
    const key = options.perState ? row.state : '';
    let entry = plans.get(key);
    if (!entry) {
      const plan: PackagePlan = { signatures: 0, pages: 0, versions: [], tallies: new Map(), firstDay: null, lastDay: null };
      if (options.perState) plan.state = row.state;
      entry = { plan, perVersion: new Map() };
      plans.set(key, entry);
    }
    const { plan, perVersion } = entry;
    plan.signatures++;
    perVersion.set(row.petition_version, (perVersion.get(row.petition_version) ?? 0) + 1);
    const day = drive.dayOf(row.captured_at);
    const tally = `${row.state}\t${row.city}\t${day}`;
    plan.tallies.set(tally, (plan.tallies.get(tally) ?? 0) + 1);
    if (plan.firstDay === null || day < plan.firstDay) plan.firstDay = day;
    if (plan.lastDay === null || day > plan.lastDay) plan.lastDay = day;
    const missing = coverage.missingCharacters(printedText(row, options));
    if (missing.length > 0) unrenderable.push({ id: row.id, missing });
  };

  const keep = spool && ((row: SignatureRow) => spool.add(spoolGroup(options.perState ? row.state : undefined, row.petition_version), row));
  const { key } = access;
  const lane = access.openerScript ? await OpenerLane.start(access.openerScript, key) : undefined;
  try {
    for await (const row of signatureRows(db, driveId, { key, asOf, withAutograph: spool !== undefined, ...(lane && { lane }) })) {
      if (row.voided) {
        if (matches(row))
          exclusions.voided.push(row.unreadable ? unreadableOf(row, row.void_reason ?? 'voided') : excludedOf(row, row.void_reason ?? 'voided'));
        continue;
      }
      if (row.unreadable) {
        if (matches(row)) exclusions.unreadable.push(unreadableOf(row, `not delivered: ${row.unreadable}`));
        continue;
      }
      const first = repeats.repeatOf(row.id, signerOf(row));
      if (first !== undefined && heldFirsts.has(first) && !partnerOf.has(first)) partnerOf.set(first, row.id);
      if (!matches(row)) continue;
      if (first !== undefined && overrides[row.id] !== 'include') {
        excludedRepeats.add(row.id);
        exclusions.repeat.push({ ...excludedOf(row, 'the same signer signed before'), id: row.id, repeatOf: first });
        continue;
      }
      // Kept in its place among the rows; the sheets leave it out if a repeat of it turns up (deliveredBy).
      await keep?.(row);
      if (first === undefined && overrides[row.id] === 'exclude') {
        const { autograph: _autograph, ...held } = row;
        heldFirsts.set(row.id, held);
        continue;
      }
      count(row);
    }
  } finally {
    await lane?.close();
  }
  for (const [id, row] of heldFirsts) {
    const partner = partnerOf.get(id);
    if (partner === undefined) {
      count(row);
    } else {
      excludedRepeats.add(id);
      exclusions.repeat.push({ ...excludedOf(row, 'left out by the organizer for a later signature'), id, repeatOf: partner });
    }
  }

  const versionOrder = drive.versions.map((v) => v.version);
  const packages = [...plans.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, { plan, perVersion }]) => {
      const known = versionOrder.filter((v) => perVersion.has(v));
      const unknown = [...perVersion.keys()].filter((v) => !versionOrder.includes(v)).sort();
      plan.versions = [...known, ...unknown].map((version) => {
        const signatures = perVersion.get(version)!;
        return { version, signatures, pages: Math.ceil(signatures / ROWS_PER_PAGE) };
      });
      plan.pages = plan.versions.reduce((n, v) => n + v.pages, 0);
      return plan;
    });
  Object.assign(exclusions, await refusedRecords(db, driveId, key));
  return {
    drive,
    asOf,
    options,
    packages,
    signatures: packages.reduce((n, p) => n + p.signatures, 0),
    pages: packages.reduce((n, p) => n + p.pages, 0),
    excludedRepeats,
    exclusions,
    unrenderable,
  };
}

/** True when the second pass writes this row: the same decision the first pass made. */
export function deliveredBy(selection: Selection): (row: SignatureRow) => boolean {
  const matches = rowMatcher(selection.options, selection.drive.dayOf);
  return (row) => !row.voided && !row.unreadable && !selection.excludedRepeats.has(row.id) && matches(row);
}

/** Records the server refused and deliveries that clashed with a held record: never in the signatures. */
async function refusedRecords(db: Kysely<Database>, driveId: string, key: CryptoKey): Promise<Pick<DeliveryExclusions, 'rejected' | 'conflict'>> {
  const rejected = await db
    .selectFrom('rejections')
    .innerJoin('devices', 'devices.id', 'rejections.device_id')
    .select(['rejections.record_id', 'rejections.code', 'rejections.message', 'rejections.received_at'])
    .where('devices.drive_id', '=', driveId)
    .orderBy('rejections.received_at')
    .orderBy('rejections.id')
    .execute();
  const conflicts = await db
    .selectFrom('conflicts')
    .innerJoin('devices', 'devices.id', 'conflicts.device_id')
    .select(['conflicts.record_id', 'conflicts.code', 'conflicts.body'])
    .where('devices.drive_id', '=', driveId)
    .orderBy('conflicts.received_at')
    .orderBy('conflicts.id')
    .execute();
  return {
    rejected: rejected.map((r) => ({ id: r.record_id, name: null, city: null, state: null, capturedAt: null, detail: `${r.code}: ${r.message}` })),
    conflict: await Promise.all(
      conflicts.map(async (c) => {
        const body = parseBody(c.body);
        const signer = (await openedSigner(key, driveId, body)) ?? body.signer ?? body.place ?? {};
        const name = [signer.givenName, signer.familyName].filter((s) => typeof s === 'string').join(' ');
        return {
          id: c.record_id,
          name: name || null,
          city: typeof signer.city === 'string' ? signer.city : null,
          state: typeof signer.state === 'string' ? signer.state : null,
          capturedAt: typeof body.capturedAt === 'string' ? body.capturedAt : null,
          detail: `${c.code}: another delivery of this record differs; the record first held is delivered`,
        };
      }),
    ),
  };
}

interface ConflictBody {
  id?: unknown;
  /** Protocol 2: the signer sealed; only the place in clear. */
  sealed?: unknown;
  place?: Record<string, unknown>;
  /** Protocol 1: the signer in clear. */
  signer?: Record<string, unknown>;
  capturedAt?: unknown;
}

/** A conflicting protocol-2 record's signer, opened with the drive key; undefined when it does not open. */
async function openedSigner(key: CryptoKey, driveId: string, body: ConflictBody): Promise<Record<string, unknown> | undefined> {
  if (typeof body.sealed !== 'string' || typeof body.id !== 'string') return undefined;
  try {
    return openSealedDetails(await openerOf(key), body.sealed, { driveId, recordId: body.id }).signer;
  } catch {
    return undefined;
  }
}

function parseBody(body: string): ConflictBody {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null) return {};
    const { id, sealed, place, signer, capturedAt } = parsed as Record<string, unknown>;
    const objectOrUndefined = (o: unknown) => (typeof o === 'object' && o !== null ? (o as Record<string, unknown>) : undefined);
    return { id, sealed, place: objectOrUndefined(place), signer: objectOrUndefined(signer), capturedAt };
  } catch {
    return {};
  }
}
