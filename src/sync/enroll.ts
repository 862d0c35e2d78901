// Enrollment: trade the lead's code for a device token, once, online.
import { API, PROTOCOL_VERSION, type ApiError, type EnrollRequest, type EnrollResponse } from '../shared/protocol';
import { storageEstimate } from '../storage/estimate';
import { saveDrive, saveEnrollment, saveVolunteer, type Enrollment } from '../storage/settings';
import { signerKeySecret } from '../storage/signer-hash';
import { updateSyncStatus } from './sync-status';

export class EnrollFailure extends Error {
  override name = 'EnrollFailure';
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/**
 * Enroll with the lead's code. The request also reports the app version and the storage (asked to be
 * kept first: Chromium and Safari decide silently, so the answer is shown to the volunteer), as a
 * sync would: the lead sees the tablet as it is from the moment it is enrolled.
 */
export async function enrollDevice(code: string, volunteer: string, deviceName: string | undefined, appVersion: string): Promise<Enrollment> {
  const persisted = (await navigator.storage?.persist?.().catch(() => false)) ?? false;
  const storage = await storageEstimate();
  const body: EnrollRequest = {
    protocol: PROTOCOL_VERSION,
    code,
    ...(deviceName ? { deviceName } : {}),
    device: { appVersion, ...(storage ? { storage } : {}) },
  };
  let response: Response;
  try {
    response = await fetch(API.enroll, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  } catch {
    throw new EnrollFailure('No connection. Enrollment needs the network once; connect and try again.');
  }
  if (!response.ok) {
    const error = await response.json().then(
      (b: ApiError) => b.error,
      () => undefined,
    );
    throw new EnrollFailure(error?.message ?? `Enrollment failed (${response.status}). Try again.`, error?.field);
  }
  const answer = (await response.json()) as EnrollResponse;
  const enrollment: Enrollment = {
    deviceId: answer.deviceId,
    token: answer.token,
    driveId: answer.drive.id,
    enrolledAt: new Date().toISOString(),
    persisted,
    ...(deviceName ? { deviceName } : {}),
  };
  await saveDrive(answer.drive);
  // The tablet's own secret for the same-signer warning's keyed hash (src/storage/signer-hash.ts).
  await signerKeySecret();
  await saveVolunteer(volunteer);
  await saveEnrollment(enrollment);
  // The server just answered: the status bar says so until the first sync has something to say.
  updateSyncStatus({ server: 'reached' });
  return enrollment;
}
