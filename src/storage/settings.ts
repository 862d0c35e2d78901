// Small key-value facts about this device, one idb-keyval store per concern.
import { createStore, del, get, set, setMany, type UseStore } from 'idb-keyval';
import type { DriveInfo, Receipt } from '../shared/protocol';

export const SETTINGS_KEYS = {
  enrollment: 'enrollment',
  drive: 'drive',
  driveCheckedAt: 'driveCheckedAt',
  volunteer: 'volunteer',
  receipt: 'receipt',
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

let store: UseStore | undefined;
/** Where idb-keyval keeps them (index.html reads the first three keys before the app's script runs). */
export const SETTINGS_DATABASE = 'fieldpen-settings';
export const SETTINGS_STORE = 'settings';
const settings = (): UseStore => (store ??= createStore(SETTINGS_DATABASE, SETTINGS_STORE));

export const loadEnrollment = (): Promise<Enrollment | undefined> => get(SETTINGS_KEYS.enrollment, settings());
export const saveEnrollment = (e: Enrollment): Promise<void> => set(SETTINGS_KEYS.enrollment, e, settings());
export const forgetEnrollment = (): Promise<void> => del(SETTINGS_KEYS.enrollment, settings());

export const loadDrive = (): Promise<DriveInfo | undefined> => get(SETTINGS_KEYS.drive, settings());
/** The drive as the server last sent it, and when that was (so a tablet asks again now and then, not at every sync). */
export const saveDrive = (d: DriveInfo, checkedAt = new Date()): Promise<void> =>
  setMany([[SETTINGS_KEYS.drive, d], [SETTINGS_KEYS.driveCheckedAt, checkedAt.toISOString()]], settings());
export const loadDriveCheckedAt = (): Promise<string | undefined> => get(SETTINGS_KEYS.driveCheckedAt, settings());

export const loadVolunteer = (): Promise<string | undefined> => get(SETTINGS_KEYS.volunteer, settings());
export const saveVolunteer = (name: string): Promise<void> => set(SETTINGS_KEYS.volunteer, name, settings());

/** The server's last receipt for this device, shown until the next sync. */
export const loadReceipt = (): Promise<Receipt | undefined> => get(SETTINGS_KEYS.receipt, settings());
export const saveReceipt = (r: Receipt): Promise<void> => set(SETTINGS_KEYS.receipt, r, settings());
