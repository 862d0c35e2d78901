// A tablet for sync tests: the device database in fake-indexeddb, enrolled on a fresh real server.
import 'fake-indexeddb/auto';
import type { EnrollResponse } from '../../src/shared/protocol';
import { DeviceDB, useDeviceDb } from '../../src/storage/device-db';
import { forgetEnrollment, saveEnrollment } from '../../src/storage/settings';
import { createTestDrive, enroll, startServer, type Harness } from './harness';

export interface Tablet {
  server: Harness;
  device: EnrollResponse;
  db: DeviceDB;
}

let n = 0;

export async function setUpTablet(name: string): Promise<Tablet> {
  const server = await startServer();
  const { code } = await createTestDrive(server.db);
  const device = await enroll(server.app, code, name);
  const db = new DeviceDB(`tablet-${process.pid}-${++n}`);
  useDeviceDb(db);
  await saveEnrollment({ deviceId: device.deviceId, token: device.token, driveId: device.drive.id, enrolledAt: new Date().toISOString(), persisted: false });
  return { server, device, db };
}

export async function tearDownTablet({ server, db }: Tablet): Promise<void> {
  db.close();
  await db.delete();
  useDeviceDb(undefined);
  await forgetEnrollment();
  await server.stop();
}
