// Deliveries that clash with what the server already holds. Never merged, never dropped: the lead
// decides.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ErrorCode } from '../../shared/protocol';
import type { Database } from './schema';

export interface ConflictingDelivery {
  recordId: string;
  deviceId: string;
  seq: number;
  digest: string;
  /** The record exactly as it arrived. */
  body: unknown;
  code: ErrorCode;
}

/** Keep a conflicting delivery; the same content delivered again is kept only once. */
export async function keepConflict(db: Kysely<Database>, conflict: ConflictingDelivery, now = new Date()): Promise<void> {
  await db
    .insertInto('conflicts')
    .values({
      id: randomUUID(),
      record_id: conflict.recordId,
      device_id: conflict.deviceId,
      seq: conflict.seq,
      digest: conflict.digest,
      body: JSON.stringify(conflict.body),
      code: conflict.code,
      received_at: now.toISOString(),
    })
    .onConflict((oc) => oc.columns(['record_id', 'digest']).doNothing())
    .execute();
}
