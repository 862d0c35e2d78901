// For unit tests of the tablet's storage (fake-indexeddb): the drive a tablet keeps in settings, with
// the test drive's public key to seal to, and the private key that opens what it sealed.
import type { DriveInfo } from '../../src/shared/protocol';
import { saveDrive } from '../../src/storage/settings';
import { testDriveKey } from '../support/records';

/** Keep drive `driveId` (sampleCaptureInput's by default) in settings, as enrolling does; returns the key that opens its records. */
export async function keepTestDrive(driveId = 'drive-1'): Promise<CryptoKey> {
  const { publicKey, privateKey } = await testDriveKey();
  const drive: DriveInfo = {
    id: driveId,
    title: 'Safe Crosswalks',
    goal: 25_000,
    petitions: [{ version: 'c'.repeat(64), language: 'en', title: 'Safe Crosswalks', text: 'We ask…' }],
    sealKey: publicKey,
  };
  await saveDrive(drive);
  return privateKey;
}
