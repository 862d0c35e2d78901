// Filing a batch: every record screened, then all of them filed in one transaction with the device's
// totals, so a batch is held whole or not at all and the receipt matches what was committed.
import type { Kysely } from 'kysely';
import { PROTOCOL_VERSION, type BatchResponse, type DeviceTotals, type ErrorCode, type RecordResult } from '../../shared/protocol';
import type { SignatureRecord } from '../../shared/schema';
import { keepConflict } from '../db/conflicts';
import { countReceived, recordDeviceTotals, type DeviceIdentity } from '../db/devices';
import { petitionVersionsOf } from '../db/drives';
import { keepRejection } from '../db/rejections';
import type { Database } from '../db/schema';
import { idsAtSequences, insertSignatures, storedDigests } from '../db/signatures';
import { screenRecord, type Screened } from './screen-record';

export interface IncomingBatch {
  records: readonly unknown[];
  totals: DeviceTotals;
}

export async function receiveBatch(db: Kysely<Database>, device: DeviceIdentity, batch: IncomingBatch, now = new Date()): Promise<BatchResponse> {
  const petitions = new Map((await petitionVersionsOf(db, device.driveId)).map((p) => [p.version, p.language]));
  // Screening hashes every record; done before the transaction so the transaction stays short.
  const screened = await Promise.all(batch.records.map((raw) => screenRecord(raw, { device, petitions })));
  return db.transaction().execute(async (trx) => {
    const results: RecordResult[] = [];
    const held = await whatIsHeld(trx, device.id, screened);
    // In order: a record repeated within the batch meets its earlier copy as already stored.
    for (const entry of screened) results.push(await fileRecord(trx, entry, held, now));
    await insertSignatures(trx, held.toStore, now);
    const capturedThrough = await recordDeviceTotals(trx, device.id, batch.totals, now);
    const received = await countReceived(trx, device.id);
    return { protocol: PROTOCOL_VERSION, results, receipt: { deviceId: device.id, received, capturedThrough } };
  });
}

/** What the server holds of a batch's ids and sequence numbers, read in two queries, kept current as records are filed. */
interface Held {
  digests: Map<string, string>;
  sequences: Map<number, string>;
  toStore: SignatureRecord[];
}

async function whatIsHeld(trx: Kysely<Database>, deviceId: string, screened: readonly Screened[]): Promise<Held> {
  // Screening refused records of other devices, so every accepted record is this device's.
  const accepted = screened.flatMap((e) => (e.accepted ? [e.record] : []));
  return {
    digests: await storedDigests(trx, accepted.map((r) => r.id)),
    sequences: await idsAtSequences(trx, deviceId, accepted.map((r) => r.seq)),
    toStore: [],
  };
}

async function fileRecord(trx: Kysely<Database>, entry: Screened, held: Held, now: Date): Promise<RecordResult> {
  if (!entry.accepted) {
    await keepRejection(trx, entry.refused, now);
    return entry.result;
  }
  const { record } = entry;
  const digest = held.digests.get(record.id);
  if (digest === record.digest) return { id: record.id, status: 'duplicate' };
  if (digest !== undefined) {
    return conflict(trx, entry, 'content_differs', 'A record with this id is already stored with different content; both are kept for the lead to review', now);
  }
  if (held.sequences.has(record.seq)) {
    return conflict(trx, entry, 'sequence_taken', `Another record of this device already holds sequence number ${record.seq}; both are kept for the lead to review`, now);
  }
  // Stored with the batch's other new records after the loop, in the same transaction.
  held.toStore.push(record);
  held.digests.set(record.id, record.digest);
  held.sequences.set(record.seq, record.id);
  return { id: record.id, status: 'stored' };
}

async function conflict(
  trx: Kysely<Database>,
  { record, raw }: { record: SignatureRecord; raw: unknown },
  code: ErrorCode,
  message: string,
  now: Date,
): Promise<RecordResult> {
  await keepConflict(trx, { recordId: record.id, deviceId: record.deviceId, seq: record.seq, digest: record.digest, body: raw, code }, now);
  return { id: record.id, status: 'conflict', reason: { code, message } };
}
