// Enrollment: trade the lead's code for a device token, once, online.
import { API, PROTOCOL_VERSION, type ApiError, type EnrollRequest, type EnrollResponse } from '../shared/protocol';
import { saveDrive, saveEnrollment, saveVolunteer, type Enrollment } from '../storage/settings';

export class EnrollFailure extends Error {
  override name = 'EnrollFailure';
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export async function enrollDevice(code: string, volunteer: string, deviceName?: string): Promise<Enrollment> {
  const body: EnrollRequest = { protocol: PROTOCOL_VERSION, code, ...(deviceName ? { deviceName } : {}) };
  let response: Response;
  try {
    response = await fetch(API.enroll, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  } catch {
    throw new EnrollFailure('No connection. Enrollment needs the network once; connect and try again.');
  }
  if (!response.ok) {
    const error = await response.json().then((b: ApiError) => b.error, () => undefined);
    throw new EnrollFailure(error?.message ?? `Enrollment failed (${response.status}). Try again.`, error?.field);
  }
  const answer = (await response.json()) as EnrollResponse;
  // Ask once, at enrollment: Chromium and Safari decide silently, so the answer is shown to the volunteer.
  const persisted = (await navigator.storage?.persist?.().catch(() => false)) ?? false;
  const enrollment: Enrollment = {
    deviceId: answer.deviceId,
    token: answer.token,
    driveId: answer.drive.id,
    enrolledAt: new Date().toISOString(),
    persisted,
    ...(deviceName ? { deviceName } : {}),
  };
  await saveDrive(answer.drive);
  await saveVolunteer(volunteer);
  await saveEnrollment(enrollment);
  return enrollment;
}
