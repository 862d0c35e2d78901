// Small key-value facts about this device, one idb-keyval store per concern.
import { createStore, del, get, set, setMany, type UseStore } from 'idb-keyval';
import type { DriveInfo, Receipt } from '../shared/protocol';

export const SETTINGS_KEYS = {
  enrollment: 'enrollment',
  drive: 'drive',
  driveCheckedAt: 'driveCheckedAt',
  volunteer: 'volunteer',
  receipt: 'receipt',
  signerKeySecret: 'signerKeySecret',
} as const;

export interface Enrollment {
  deviceId: string;
  /** Bearer token for the sync API; the server keeps only its hash. */
  token: string;
  driveId: string;
  deviceName?: string;
  enrolledAt: string;
  /** What navigator.storage.persist() answered at enrollment. */
  persisted: boolean;
}

/** The enrollment as screens see it: the token stays in IndexedDB, for the sync alone. */
export type DeviceEnrollment = Omit<Enrollment, 'token'>;

let store: UseStore | undefined;
export const SETTINGS_DATABASE = 'fieldpen-settings';
export const SETTINGS_STORE = 'settings';
const settings = (): UseStore => (store ??= createStore(SETTINGS_DATABASE, SETTINGS_STORE));
/** The store itself, for the few settings kept beside their one user (signer-hash.ts). */
export const settingsStore = settings;

export const loadEnrollment = (): Promise<Enrollment | undefined> => get(SETTINGS_KEYS.enrollment, settings());
export const saveEnrollment = async (e: Enrollment): Promise<void> => {
  await set(SETTINGS_KEYS.enrollment, e, settings());
  updateBootCopy({ enrollment: withoutToken(e) });
};
export const forgetEnrollment = async (): Promise<void> => {
  await del(SETTINGS_KEYS.enrollment, settings());
  updateBootCopy({ enrollment: undefined });
};

export const loadDrive = (): Promise<DriveInfo | undefined> => get(SETTINGS_KEYS.drive, settings());
/** The drive as the server last sent it, and when that was (so a tablet asks again now and then, not at every sync). */
export const saveDrive = async (d: DriveInfo, checkedAt = new Date()): Promise<void> => {
  await setMany(
    [
      [SETTINGS_KEYS.drive, d],
      [SETTINGS_KEYS.driveCheckedAt, checkedAt.toISOString()],
    ],
    settings(),
  );
  updateBootCopy({ drive: d });
};
export const loadDriveCheckedAt = (): Promise<string | undefined> => get(SETTINGS_KEYS.driveCheckedAt, settings());

export const loadVolunteer = (): Promise<string | undefined> => get(SETTINGS_KEYS.volunteer, settings());
export const saveVolunteer = async (name: string): Promise<void> => {
  await set(SETTINGS_KEYS.volunteer, name, settings());
  updateBootCopy({ volunteer: name });
};

export const withoutToken = ({ token: _token, ...rest }: Enrollment): DeviceEnrollment => rest;

// ── the boot copy ────────────────────────────────────────────────────────────
//
// What the signer form needs to open — the enrollment without its token, the drive, the volunteer —
// copied to localStorage after each write above. In a freshly started browser, the first IndexedDB
// read takes 90–330 ms (median 208 over 8 offline relaunches on the bench machine; Cache Storage 191)
// and localStorage 2–26 ms (median 9): the tablet opens from the copy (index.html reads it before the
// app's script runs) and the app then checks it against IndexedDB, which stays the record.

/** The localStorage key of the boot copy (index.html reads it: tests/unit/volunteer-build.test.ts). */
export const BOOT_COPY_KEY = 'fieldpen-boot';

export interface BootCopy {
  enrollment?: DeviceEnrollment;
  drive?: DriveInfo;
  volunteer?: string;
}

/** The copy as stored (its JSON), or undefined where there is none or localStorage is refused. */
export function readBootCopy(raw: string | null | undefined = storedBootCopy()): BootCopy | undefined {
  if (!raw) return undefined;
  try {
    const copy: unknown = JSON.parse(raw);
    return copy && typeof copy === 'object' ? (copy as BootCopy) : undefined;
  } catch {
    return undefined;
  }
}

/** Write the whole copy (the app does when IndexedDB disagrees with it). */
export function writeBootCopy(copy: BootCopy): void {
  try {
    if (typeof localStorage !== 'undefined') localStorage.setItem(BOOT_COPY_KEY, JSON.stringify(copy));
  } catch {
    // Full or refused: the tablet opens from IndexedDB, a little slower.
  }
}

function updateBootCopy(patch: BootCopy): void {
  if (typeof localStorage === 'undefined') return; // a service worker has none, and never writes these
  writeBootCopy({ ...readBootCopy(), ...patch });
}

function storedBootCopy(): string | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage.getItem(BOOT_COPY_KEY);
  } catch {
    return null;
  }
}

/** The server's last receipt for this device, shown until the next sync. */
export const loadReceipt = (): Promise<Receipt | undefined> => get(SETTINGS_KEYS.receipt, settings());
export const saveReceipt = (r: Receipt): Promise<void> => set(SETTINGS_KEYS.receipt, r, settings());
