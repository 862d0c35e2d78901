// Bearer-token authentication of enrolled devices. Runs on `onRequest`, before the body is read, so
// an unknown caller costs no parsing.
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Kysely } from 'kysely';
import { ApiProblem } from './api-problem';
import { recordAudit } from './db/audit-log';
import { findDeviceByToken, markWipeTold, type DeviceIdentity } from './db/devices';
import type { Database } from './db/schema';

declare module 'fastify' {
  interface FastifyRequest {
    device: DeviceIdentity | null;
  }
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

export function deviceAuth(app: FastifyInstance, db: Kysely<Database>): onRequestAsyncHookHandler {
  app.decorateRequest('device', null);
  return async function requireDevice(request) {
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
    if (!token) throw new ApiProblem(401, 'unauthorized', 'This device is not enrolled: send its token as "Authorization: Bearer <token>"');
    const device = await findDeviceByToken(db, token);
    if (!device) throw new ApiProblem(401, 'unauthorized', 'The server does not know this device token: enroll the device again');
    // The answer tells the tablet to wipe its confirmed payloads; records not yet confirmed stay on it
    // (sealed), so nothing is lost. Only the lead can re-enroll it.
    if (device.revoked) {
      if (await markWipeTold(db, device.id)) {
        await recordAudit(db, { action: 'device_wiped', actor: `device:${device.id}`, address: request.ip, driveId: device.driveId });
      }
      throw new ApiProblem(403, 'device_revoked', 'This device was removed from the drive: its confirmed signatures are wiped. Hand it to your lead');
    }
    request.device = device;
  };
}

/** The device `requireDevice` let through. */
export function enrolledDevice(request: FastifyRequest): DeviceIdentity {
  if (!request.device) throw new Error('route is missing the requireDevice hook');
  return request.device;
}
