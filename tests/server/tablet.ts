// A tablet for sync tests: the device database in fake-indexeddb, enrolled on a fresh real server.
import 'fake-indexeddb/auto';
import type { EnrollResponse } from '../../src/shared/protocol';
import { DeviceDB, useDeviceDb, type DeviceSignature } from '../../src/storage/device-db';
import { forgetEnrollment, saveDrive, saveEnrollment } from '../../src/storage/settings';
import { captureSignature } from '../../src/storage/signatures';
import { sampleCaptureInput } from '../support/records';
import { createTestDrive, enroll, startServer, type Harness } from './harness';

export interface Tablet {
  server: Harness;
  device: EnrollResponse;
  db: DeviceDB;
}

let n = 0;

export async function setUpTablet(name: string, options: Parameters<typeof startServer>[0] = {}): Promise<Tablet> {
  const server = await startServer(options);
  const { code } = await createTestDrive(server.db);
  const device = await enroll(server.app, code, name);
  const db = new DeviceDB(`tablet-${process.pid}-${++n}`);
  useDeviceDb(db);
  await saveEnrollment({ deviceId: device.deviceId, token: device.token, driveId: device.drive.id, enrolledAt: new Date().toISOString(), persisted: false });
  // As enrolling keeps it: the drive, with the key every signature is sealed to.
  await saveDrive(device.drive);
  return { server, device, db };
}

export async function tearDownTablet({ server, db }: Tablet): Promise<void> {
  db.close();
  await db.delete();
  useDeviceDb(undefined);
  await forgetEnrollment();
  await server.stop();
}

let signer = 0;

/** Save `count` signatures on the tablet through the real storage code, each a different signer. */
export async function captureOn(device: EnrollResponse, count: number): Promise<DeviceSignature[]> {
  const petition = device.drive.petitions[0]!;
  const saved: DeviceSignature[] = [];
  for (let i = 0; i < count; i++) {
    const k = ++signer;
    saved.push(
      await captureSignature(
        sampleCaptureInput(k, { deviceId: device.deviceId, driveId: device.drive.id, petition: { version: petition.version, language: petition.language } }),
      ),
    );
  }
  return saved;
}
