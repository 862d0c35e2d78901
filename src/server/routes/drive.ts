// GET /api/v1/drive: the device's drive and its petition versions, e.g. after the text changed.
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import type { Kysely } from 'kysely';
import { API, type DriveInfo } from '../../shared/protocol';
import { enrolledDevice } from '../device-auth';
import { driveInfo } from '../db/drives';
import type { Database } from '../db/schema';

export function driveRoute(app: FastifyInstance, db: Kysely<Database>, requireDevice: onRequestAsyncHookHandler): void {
  app.get(API.drive, { onRequest: requireDevice }, async (request): Promise<DriveInfo> => {
    const { driveId } = enrolledDevice(request);
    const drive = await driveInfo(db, driveId);
    if (!drive) throw new Error(`drive ${driveId} of an enrolled device is missing`);
    return drive;
  });
}
