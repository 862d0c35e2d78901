// POST /api/v1/devices/enroll: a tablet trades a lead's code for its own token.
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { API, PROTOCOL_VERSION, type EnrollResponse } from '../../shared/protocol';
import { check, EnrollRequestSchema } from '../../shared/schema';
import { ApiProblem, invalidRequest } from '../api-problem';
import { enrollDevice } from '../db/devices';
import { driveInfo } from '../db/drives';
import { clearFailures, lockedFor, MAX_WRONG_CODES, recordFailure } from '../db/failed-attempts';
import type { Database } from '../db/schema';
import type { LiveUpdates } from '../live-updates';
import { tooManyTries } from './session';

export function enrollRoute(app: FastifyInstance, db: Kysely<Database>, live?: LiveUpdates): void {
  app.post(API.enroll, async (request, reply) => {
    const checked = check(EnrollRequestSchema, request.body);
    if (!checked.ok) throw invalidRequest(checked.problems, request.body);
    // Per address: codes are short, so guessing must be slow. In the database, shared by all instances.
    const key = `code:${request.ip}`;
    const wait = await lockedFor(db, key, MAX_WRONG_CODES);
    if (wait > 0) throw tooManyTries(wait, 'enrollment codes');
    const enrolled = await enrollDevice(db, { code: checked.value.code, name: checked.value.deviceName, device: checked.value.device });
    if (!enrolled) {
      await recordFailure(db, key);
      throw new ApiProblem(400, 'invalid_code', 'This enrollment code is unknown, used up or expired: ask your lead for a current code', 'code');
    }
    await clearFailures(db, key);
    live?.notify(enrolled.driveId);
    const drive = await driveInfo(db, enrolled.driveId);
    if (!drive) throw new Error(`drive ${enrolled.driveId} of an enrollment code is missing`);
    const response: EnrollResponse = { protocol: PROTOCOL_VERSION, deviceId: enrolled.deviceId, token: enrolled.token, drive };
    return reply.code(201).send(response);
  });
}
