// The drive as the server has it now: an edited petition (a new version), a roster, fields a drive
// requires reach a tablet enrolled before the change. Loaded only when a check is due.
import { API, type DriveInfo } from '../shared/protocol';
import { loadDrive, loadEnrollment, saveDrive } from '../storage/settings';

const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Ask the server for the device's drive and keep it. Resolves with the drive when it changed,
 * undefined when it did not or the server's answer is not a usable drive (the tablet keeps the one it
 * has); rejects when the server cannot be reached.
 */
export async function refreshDrive(doFetch: typeof fetch = fetch): Promise<DriveInfo | undefined> {
  const enrollment = await loadEnrollment();
  if (!enrollment) return undefined;
  const response = await doFetch(API.drive, { headers: { authorization: `Bearer ${enrollment.token}` }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  if (!response.ok) return undefined;
  const drive = (await response.json().catch(() => undefined)) as DriveInfo | undefined;
  // A drive without a petition, or another drive's, would leave the signer nothing right to sign.
  if (drive?.id !== enrollment.driveId || !Array.isArray(drive.petitions) || drive.petitions.length === 0) return undefined;
  const before = await loadDrive();
  await saveDrive(drive);
  return JSON.stringify(before) === JSON.stringify(drive) ? undefined : drive;
}
