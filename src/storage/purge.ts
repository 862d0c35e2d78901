// Nothing of a signer lingers on a tablet: once the server has confirmed a signature, its sealed
// details (and the keyed signer hash of the same-signer warning) leave the tablet after the drive's
// retention. What stays — id, seq, digest, state, capturedAt, place, volunteer, initials — is what
// receipts, today's counts and completeness need. A record the server does not hold yet (waiting,
// rejected, a void not yet acknowledged) is never purged: its sealed details are all there is of it.
import Dexie from 'dexie';
import { createStore, get, set, type UseStore } from 'idb-keyval';
import { deviceDb, type DeviceSignature } from './device-db';
import { clearDraft } from './draft';
import { loadDrive, saveVolunteer, SETTINGS_DATABASE, SETTINGS_STORE } from './settings';

// When the last shift on this tablet ended, beside the other settings; kept here, not in settings.ts,
// so that the signer form's first load does not carry it.
const SHIFT_ENDED_KEY = 'shiftEndedAt';
let store: UseStore | undefined;
const settings = (): UseStore => (store ??= createStore(SETTINGS_DATABASE, SETTINGS_STORE));
export const loadShiftEndedAt = (): Promise<string | undefined> => get(SHIFT_ENDED_KEY, settings());
const saveShiftEndedAt = (at: Date): Promise<void> => set(SHIFT_ENDED_KEY, at.toISOString(), settings());

/** How long confirmed details stay: the drive's hours, or (default) until the shift ends, at the latest midnight. */
export interface Retention {
  /** DriveInfo.purgeAfterHours: hours after confirmation; when set, it alone decides. */
  purgeAfterHours?: number;
  /** When the last shift on this tablet ended: what was captured before it has no shift left to serve. */
  shiftEndedAt?: string;
}

/** What a purged row keeps: what receipts, counts, today's list and completeness read. Nothing else stays. */
const KEPT = [
  'id',
  'deviceId',
  'seq',
  'driveId',
  'petition',
  'volunteer',
  'capturedAt',
  'place',
  'assisted',
  'digest',
  'confirmedAt',
  'rejection',
  'void',
  'voidConfirmedAt',
  'voidRejection',
  'initials',
] as const satisfies readonly (keyof DeviceSignature)[];

/** Still holds something of the signer: a field a purged row does not keep (sealed details, the signer key…). */
const holdsSigner = (row: DeviceSignature): boolean => Object.keys(row).some((key) => key !== 'state' && !(KEPT as readonly string[]).includes(key));

/** When the server's acknowledgement settled the row: its confirmation, and for a void the later of both. */
function settledAt(row: DeviceSignature): number | undefined {
  if (!row.confirmedAt) return undefined;
  if (row.state === 'confirmed') return Date.parse(row.confirmedAt);
  if (row.state === 'voided' && row.voidConfirmedAt) return Math.max(Date.parse(row.confirmedAt), Date.parse(row.voidConfirmedAt));
  return undefined;
}

/** The tablet's next local midnight after a moment. */
export function nextLocalMidnight(at: number): number {
  const d = new Date(at);
  d.setHours(24, 0, 0, 0);
  return d.getTime();
}

/**
 * Whether a row's details are due to leave the tablet at `now`. Only a confirmed record, or a void the
 * server acknowledged for a record it holds; never a waiting, rejected or unacknowledged one.
 */
export function purgeDue(row: DeviceSignature, retention: Retention, now: number): boolean {
  const settled = settledAt(row);
  if (settled === undefined || !holdsSigner(row)) return false;
  const hours = retention.purgeAfterHours;
  if (hours !== undefined && Number.isFinite(hours) && hours >= 0) return now >= settled + hours * 3_600_000;
  const shiftEnded = retention.shiftEndedAt ? Date.parse(retention.shiftEndedAt) : NaN;
  if (Date.parse(row.capturedAt) <= shiftEnded) return true;
  return now >= nextLocalMidnight(settled);
}

/**
 * The row as it stays: the fields above and no others — no sealed details, no signer key, nor any
 * field an older version kept (a clear `signer` or `autograph`). A confirmed record becomes 'purged';
 * an acknowledged void stays 'voided' (it counts as voided).
 */
export function purged(row: DeviceSignature): DeviceSignature {
  const kept: Record<string, unknown> = { state: row.state === 'confirmed' ? 'purged' : row.state };
  for (const key of KEPT) if (row[key] !== undefined) kept[key] = row[key];
  return kept as unknown as DeviceSignature;
}

/** The rows that may hold confirmed details: one index read each, never the purged ones. */
async function settledRows(): Promise<DeviceSignature[]> {
  const signatures = deviceDb().signatures;
  const [confirmed, voided] = await Promise.all([signatures.where('state').equals('confirmed').toArray(), settledVoids()]);
  return [...confirmed, ...voided];
}

const settledVoids = (): Promise<DeviceSignature[]> =>
  deviceDb()
    .signatures.where('state')
    .equals('voided')
    .filter((row) => row.confirmedAt !== undefined && holdsSigner(row))
    .toArray();

/**
 * The confirmed rows that can be due at `now`, read through the [state+capturedAt] index: a row is
 * confirmed after it was captured, so only one captured by the moment its retention reaches back to
 * can be due — and one captured "after now" (the clock went back since) is read too. Right after a
 * sync that is usually none, where reading every confirmed row cost 0.4–1.1 s at 10,000
 * (tests/bench/sync.bench.ts). Only a clock set back between capture and confirmation by less than
 * the time since can hide a row from it: the full pass (purgeExpired, at start, on becoming visible
 * and every 5 minutes) finds that one.
 */
async function dueCandidates(retention: Retention, now: number): Promise<DeviceSignature[]> {
  const hours = retention.purgeAfterHours;
  let reach: number;
  if (hours !== undefined && Number.isFinite(hours) && hours >= 0) reach = now - hours * 3_600_000;
  else {
    // Due by midnight: confirmed before the last local midnight; or captured by the end of the last shift.
    const midnight = new Date(now);
    midnight.setHours(0, 0, 0, 0);
    const shiftEnded = retention.shiftEndedAt ? Date.parse(retention.shiftEndedAt) : NaN;
    reach = Number.isFinite(shiftEnded) ? Math.max(midnight.getTime(), shiftEnded) : midnight.getTime();
  }
  const byCapture = deviceDb().signatures.where('[state+capturedAt]');
  const [early, ahead, voided] = await Promise.all([
    byCapture.between(['confirmed', Dexie.minKey], ['confirmed', new Date(reach).toISOString()], true, true).toArray(),
    byCapture.between(['confirmed', new Date(now).toISOString()], ['confirmed', Dexie.maxKey], false, true).toArray(),
    settledVoids(),
  ]);
  return [...early, ...ahead.filter((row) => Date.parse(row.capturedAt) > reach), ...voided];
}

/** Purge the rows `due` picks (among `candidates`), in one transaction. Returns how many were purged. */
async function purgeWhere(due: (row: DeviceSignature) => boolean, candidates: () => Promise<DeviceSignature[]> = settledRows): Promise<number> {
  const db = deviceDb();
  return db.transaction('rw', db.signatures, async () => {
    const rows = (await candidates()).filter(due);
    if (rows.length > 0) await db.signatures.bulkPut(rows.map(purged));
    return rows.length;
  });
}

/** The retention as this tablet knows it: the drive's setting and the last shift's end. */
export async function currentRetention(): Promise<Retention> {
  const [drive, shiftEndedAt] = await Promise.all([loadDrive(), loadShiftEndedAt()]);
  return {
    ...(drive?.purgeAfterHours !== undefined ? { purgeAfterHours: drive.purgeAfterHours } : {}),
    ...(shiftEndedAt ? { shiftEndedAt } : {}),
  };
}

/** Purge every row whose retention has passed: after each sync, at start, on becoming visible, on a timer. */
export async function purgeExpired(now: Date = new Date(), retention?: Retention): Promise<number> {
  const r = retention ?? (await currentRetention());
  return purgeWhere((row) => purgeDue(row, r, now.getTime()));
}

/**
 * Purge after a sync has applied its answers: the same rule as purgeExpired, but reading only the
 * confirmed rows that can be due (dueCandidates), not every confirmed row the tablet holds.
 */
export async function purgeAfterSync(now: Date = new Date(), retention?: Retention): Promise<number> {
  const r = retention ?? (await currentRetention());
  return purgeWhere(
    (row) => purgeDue(row, r, now.getTime()),
    () => dueCandidates(r, now.getTime()),
  );
}

/**
 * The server revoked this tablet: every payload it confirmed leaves at once. What it does not hold yet
 * stays, sealed, for a lead to deliver. Returns how many were wiped and how many records stay sealed.
 */
export async function wipeConfirmed(): Promise<{ wiped: number; keptSealed: number }> {
  const wiped = await purgeWhere((row) => row.confirmedAt !== undefined && (row.state === 'confirmed' || row.state === 'voided'));
  const keptSealed = await deviceDb()
    .signatures.filter((row) => row.sealed !== undefined)
    .count();
  return { wiped, keptSealed };
}

/**
 * The volunteer's shift ends ("End shift", or another volunteer starts one): the signer at the door
 * goes, and so do the details of every confirmed signature captured until now. Signatures confirmed
 * later go when their confirmation comes (the sync purges after applying its answers).
 */
export async function endShift(now: Date = new Date(), options: { volunteer?: string } = {}): Promise<number> {
  await saveShiftEndedAt(now);
  await clearDraft();
  await saveVolunteer(options.volunteer ?? '');
  return purgeExpired(now);
}

/** How often an open app looks for details past their time (midnight passes on a tablet left open offline). */
export const PURGE_INTERVAL_MS = 5 * 60_000;

/** Purge now, whenever the app becomes visible, and every few minutes while it is open. Returns the stop. */
export function startPurgeSchedule(): () => void {
  const run = () =>
    void purgeExpired().catch((e: unknown) => {
      console.error('Purging confirmed signatures failed', e instanceof Error ? e.name : 'error');
    });
  const onVisible = () => document.visibilityState === 'visible' && run();
  document.addEventListener('visibilitychange', onVisible);
  const interval = setInterval(run, PURGE_INTERVAL_MS);
  run();
  return () => {
    clearInterval(interval);
    document.removeEventListener('visibilitychange', onVisible);
  };
}
