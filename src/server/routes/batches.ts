// POST /api/v1/batches: a device delivers signatures and reports its totals; one result per record.
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import type { Kysely } from 'kysely';
import { API, type BatchResponse } from '../../shared/protocol';
import { BatchRequestSchema, check } from '../../shared/schema';
import { invalidRequest } from '../api-problem';
import { receiveBatch } from '../batch/receive-batch';
import { enrolledDevice } from '../device-auth';
import type { Database } from '../db/schema';
import type { LiveUpdates } from '../live-updates';

export function batchesRoute(app: FastifyInstance, db: Kysely<Database>, requireDevice: onRequestAsyncHookHandler, live?: LiveUpdates): void {
  app.post(API.batches, { onRequest: requireDevice }, async (request): Promise<BatchResponse> => {
    const device = enrolledDevice(request);
    // The envelope must be whole; the records in it are judged one by one.
    const checked = check(BatchRequestSchema, request.body);
    if (!checked.ok) throw invalidRequest(checked.problems, request.body);
    const response = await receiveBatch(db, device, checked.value);
    live?.notify(device.driveId);
    return response;
  });
}
