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

/**
 * What a refused record named of itself may hold anything, NUL and control characters included,
 * which PostgreSQL's text refuses: kept as the lead can read it, at most 200 characters.
 */
function readable(text: string | undefined): string | null {
  return text === undefined ? null : text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '\ufffd').slice(0, 200);
}

export async function keepRejection(db: Kysely<Database>, refused: RefusedRecord, now = new Date()): Promise<void> {
  await db
    .insertInto('rejections')
    .values({
      id: randomUUID(),
      device_id: refused.deviceId,
      record_id: readable(refused.recordId),
      seq: refused.seq ?? null,
      code: refused.code,
      field: readable(refused.field),
      message: readable(refused.message) ?? '',
      received_at: now.toISOString(),
    })
    .execute();
}
