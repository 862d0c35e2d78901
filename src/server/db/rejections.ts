// Records the server refused, with the reason it gave the device: the lead's list of what to fix.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ErrorCode } from '../../shared/protocol';
import type { Database } from './schema';

export interface RefusedRecord {
  deviceId: string;
  /** As far as the record was readable. */
  recordId?: string | undefined;
  seq?: number | undefined;
  code: ErrorCode;
  field?: string | undefined;
  message: string;
}

export async function keepRejection(db: Kysely<Database>, refused: RefusedRecord, now = new Date()): Promise<void> {
  await db
    .insertInto('rejections')
    .values({
      id: randomUUID(),
      device_id: refused.deviceId,
      record_id: refused.recordId ?? null,
      seq: refused.seq ?? null,
      code: refused.code,
      field: refused.field ?? null,
      message: refused.message,
      received_at: now.toISOString(),
    })
    .execute();
}
