// The boot copy: what the signer form needs to open, kept in localStorage beside the settings in
// IndexedDB (the record), without the device's token.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DriveInfo } from '../../src/shared/protocol';
import {
  BOOT_COPY_KEY,
  forgetEnrollment,
  loadEnrollment,
  loadVolunteer,
  readBootCopy,
  saveDrive,
  saveEnrollment,
  saveVolunteer,
  type Enrollment,
} from '../../src/storage/settings';

/** localStorage as a browser has it, optionally one that refuses every write (a full disk, a private mode). */
class MemoryStorage {
  readonly items = new Map<string, string>();
  constructor(private readonly refuseWrites = false) {}
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    if (this.refuseWrites) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    this.items.set(key, String(value));
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

const enrollment: Enrollment = {
  deviceId: 'b1d7c2e0-6a4f-4c55-9d1e-3f1a2b3c4d5e',
  token: 'secret-token-secret-token-secret-token-abcd',
  driveId: 'drive-1',
  enrolledAt: '2026-11-28T09:00:00.000Z',
  persisted: true,
};
const drive: DriveInfo = {
  id: 'drive-1',
  title: 'Safe Crosswalks',
  goal: 25_000,
  petitions: [{ version: 'v1', language: 'en', title: 'Safe Crosswalks', text: 'We ask…' }],
  sealKey: 'BPublicKeyOfTheDrive',
};

let storage: MemoryStorage;
const install = (s: MemoryStorage) => {
  storage = s;
  (globalThis as { localStorage?: unknown }).localStorage = s;
};
beforeEach(() => install(new MemoryStorage()));
afterEach(async () => {
  delete (globalThis as { localStorage?: unknown }).localStorage;
  await forgetEnrollment().catch(() => undefined);
});

describe('the boot copy', () => {
  it('follows each write of the enrollment, the drive and the volunteer, and never holds the token', async () => {
    await saveDrive(drive);
    await saveVolunteer('Sam Rivera');
    await saveEnrollment(enrollment);
    const { token: _token, ...public_ } = enrollment;
    expect(readBootCopy()).toEqual({ drive, volunteer: 'Sam Rivera', enrollment: public_ });
    expect(storage.getItem(BOOT_COPY_KEY)).not.toContain(enrollment.token);

    await saveVolunteer('Ana Lima');
    expect(readBootCopy()?.volunteer).toBe('Ana Lima');
    await forgetEnrollment();
    expect(readBootCopy()).toEqual({ drive, volunteer: 'Ana Lima' });
  });

  it('is only a copy: a storage that refuses it changes nothing in IndexedDB', async () => {
    install(new MemoryStorage(true));
    await saveEnrollment(enrollment);
    await saveVolunteer('Sam Rivera');
    expect(await loadEnrollment()).toEqual(enrollment);
    expect(await loadVolunteer()).toBe('Sam Rivera');
    expect(readBootCopy()).toBeUndefined();
  });

  it('reads as nothing when it is missing or not JSON', () => {
    expect(readBootCopy(null)).toBeUndefined();
    expect(readBootCopy('{"drive":')).toBeUndefined();
    expect(readBootCopy('"text"')).toBeUndefined();
  });
});
