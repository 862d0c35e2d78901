// POST /api/v1/devices/enroll: a tablet trades a lead's code for its own token.
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { API, PROTOCOL_VERSION, type EnrollResponse } from '../../shared/protocol';
import { check, EnrollRequestSchema } from '../../shared/schema';
import { ApiProblem, invalidRequest } from '../api-problem';
import { enrollDevice } from '../db/devices';
import { driveInfo } from '../db/drives';
import { codeLimits, giveBack, takeTry } from '../db/failed-attempts';
import type { Database } from '../db/schema';
import type { LiveUpdates } from '../live-updates';
import { tooManyTries } from './session';

export function enrollRoute(app: FastifyInstance, db: Kysely<Database>, live?: LiveUpdates): void {
  app.post(API.enroll, async (request, reply) => {
    const checked = check(EnrollRequestSchema, request.body);
    if (!checked.ok) throw invalidRequest(checked.problems, request.body);
    // Codes are short, so guessing must be slow: a generous count per address (a room of volunteers shares
    // one) and one for every address together, which bounds the guesses at any code. In the database,
    // shared by all instances; a right code gives its try back.
    const limits = codeLimits(request.ip);
    const { wait, spent } = await takeTry(db, limits);
    if (wait > 0) throw tooManyTries(wait, spent);
    const enrolled = await enrollDevice(db, { code: checked.value.code, name: checked.value.deviceName, device: checked.value.device });
    if (!enrolled) throw new ApiProblem(400, 'invalid_code', 'This enrollment code is unknown, used up or expired: ask your lead for a current code', 'code');
    await giveBack(
      db,
      limits.map((l) => l.key),
    );
    live?.notify(enrolled.driveId);
    const drive = await driveInfo(db, enrolled.driveId);
    if (!drive) throw new Error(`drive ${enrolled.driveId} of an enrollment code is missing`);
    const response: EnrollResponse = { protocol: PROTOCOL_VERSION, deviceId: enrolled.deviceId, token: enrolled.token, drive };
    return reply.code(201).send(response);
  });
}
