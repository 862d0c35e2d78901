// Filing a batch: every record screened, then all of them filed in one transaction with the device's
// totals, so a batch is held whole or not at all and the receipt matches what was committed.
import type { Kysely } from 'kysely';
import { PROTOCOL_VERSION, type BatchResponse, type DeviceTotals, type ErrorCode, type RecordResult, type VoidResult } from '../../shared/protocol';
import { heldEntry, receiptEntry, RunningXor } from '../../shared/receipt-code';
import { check, VoidNoticeSchema, type SignatureRecord } from '../../shared/schema';
import { keepConflict } from '../db/conflicts';
import { recordDeviceTotals, type DeviceIdentity } from '../db/devices';
import { sqliteConnectionOf } from '../db/connect';
import { driveTimeZoneOf, petitionVersionsOf } from '../db/drives';
import { receiptOf } from '../db/receipts';
import { keepRejection } from '../db/rejections';
import type { Database } from '../db/schema';
import { batchStatements, heldSignature, markVoided, type BatchStatements } from '../db/signatures';
import { screenRecord, type Screened } from './screen-record';

export interface IncomingBatch {
  records: readonly unknown[];
  voids?: readonly unknown[] | undefined;
  totals: DeviceTotals;
}

/**
 * What the server holds, kept current as a batch is filed: the device's running receipt (written
 * back once at the end), and the batch's ids and sequence numbers already held (read in two queries).
 */
interface Held {
  received: number;
  xor: RunningXor;
  digests: Map<string, string>;
  sequences: Map<number, string>;
  toStore: SignatureRecord[];
}

export async function receiveBatch(db: Kysely<Database>, device: DeviceIdentity, batch: IncomingBatch, now = new Date()): Promise<BatchResponse> {
  const petitions = new Map((await petitionVersionsOf(db, device.driveId)).map((p) => [p.version, p.language]));
  // Screening hashes every record; done before the transaction so the transaction stays short.
  const screened = batch.records.map((raw) => screenRecord(raw, { device, petitions }));
  const statements = batchStatements(db);
  const lockShared = sqliteConnectionOf(db) === undefined;
  return db.transaction().execute(async (trx) => {
    // Writing the device row first takes its lock (PostgreSQL): two deliveries of one device's batch
    // are filed one after the other, so the receipt's read-modify-write never interleaves.
    await trx.updateTable('devices').set({ last_sync_at: now.toISOString() }).where('id', '=', device.id).execute();
    const row = await trx.selectFrom('devices').select(['received', 'receipt_xor']).where('id', '=', device.id).executeTakeFirstOrThrow();
    // Read in the transaction, shared-locked on PostgreSQL: a change of the drive's zone (which counts
    // the tallies again) waits for this batch, or this batch for it; the tallies never mix two zones.
    const timeZone = await driveTimeZoneOf(trx, device.driveId, lockShared);
    const held: Held = { received: Number(row.received), xor: new RunningXor(row.receipt_xor), ...(await whatIsHeld(trx, statements, device.id, screened)) };

    const results: RecordResult[] = [];
    // In order: a record repeated within the batch meets its earlier copy as already stored.
    for (const entry of screened) {
      const result = fileRecord(trx, entry, held, now);
      results.push(result instanceof Promise ? await result : result);
    }
    // New records go in together, before the voids: a void may strike a record of this very batch.
    await statements.insertSignatures(trx, held.toStore, timeZone, now);
    const voidResults: VoidResult[] = [];
    for (const raw of batch.voids ?? []) voidResults.push(await fileVoid(trx, device, raw, held, now));

    const receiptXor = held.xor.hex();
    await trx.updateTable('devices').set({ received: held.received, receipt_xor: receiptXor }).where('id', '=', device.id).execute();
    const capturedThrough = await recordDeviceTotals(trx, device.id, batch.totals, now);
    const receipt = await receiptOf(trx, { deviceId: device.id, capturedThrough, received: held.received, receiptXor });
    return { protocol: PROTOCOL_VERSION, results, ...(batch.voids ? { voidResults } : {}), receipt };
  });
}

async function whatIsHeld(
  trx: Kysely<Database>,
  statements: BatchStatements,
  deviceId: string,
  screened: readonly Screened[],
): Promise<Pick<Held, 'digests' | 'sequences' | 'toStore'>> {
  // Screening refused records of other devices, so every accepted record is this device's.
  const accepted = screened.flatMap((e) => (e.accepted ? [e.record] : []));
  return {
    digests: await statements.storedDigests(
      trx,
      accepted.map((r) => r.id),
    ),
    sequences: await statements.idsAtSequences(
      trx,
      deviceId,
      accepted.map((r) => r.seq),
    ),
    toStore: [],
  };
}

/** A stored or duplicate record is answered without a promise: hundreds of awaits a batch add up. */
function fileRecord(trx: Kysely<Database>, entry: Screened, held: Held, now: Date): RecordResult | Promise<RecordResult> {
  if (!entry.accepted) return keepRejection(trx, entry.refused, now).then(() => entry.result);
  const { record } = entry;
  const digest = held.digests.get(record.id);
  if (digest === record.digest) return { id: record.id, status: 'duplicate' };
  if (digest !== undefined) {
    return conflict(trx, entry, 'content_differs', 'A record with this id is already stored with different content; both are kept for the lead to review', now);
  }
  if (held.sequences.has(record.seq)) {
    return conflict(
      trx,
      entry,
      'sequence_taken',
      `Another record of this device already holds sequence number ${record.seq}; both are kept for the lead to review`,
      now,
    );
  }
  // Stored with the batch's other new records after the loop, in the same transaction.
  held.toStore.push(record);
  held.digests.set(record.id, record.digest);
  held.sequences.set(record.seq, record.id);
  held.received++;
  held.xor.add(heldEntry(record.digest));
  return { id: record.id, status: 'stored' };
}

/** A void changes a held signature's state; the same void delivered again changes nothing. */
async function fileVoid(trx: Kysely<Database>, device: DeviceIdentity, raw: unknown, held: Held, now: Date): Promise<VoidResult> {
  const checked = check(VoidNoticeSchema, raw);
  const rawId = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id.slice(0, 64) : '';
  if (!checked.ok) {
    const problem = checked.problems[0] ?? { message: 'The void is not readable' };
    const field = problem.field ? `voids.${problem.field}` : 'voids';
    return { id: rawId, status: 'rejected', reason: { code: 'invalid_field', message: problem.message, field } };
  }
  const notice = checked.value;
  const signature = await heldSignature(trx, device.id, notice.id);
  if (!signature || signature.seq !== notice.seq) {
    return {
      id: notice.id,
      status: 'rejected',
      reason: {
        code: 'not_found',
        message: `The server holds no signature ${notice.id} with sequence number ${notice.seq} from this device, so there is nothing to void`,
      },
    };
  }
  if (signature.voided) return { id: notice.id, status: 'duplicate' };
  await markVoided(trx, notice.id, { reason: notice.reason, voidedAt: notice.voidedAt }, now);
  // The held signature's entry changes from "held" to "held, voided".
  held.xor.add(await receiptEntry(signature.digest, false));
  held.xor.add(await receiptEntry(signature.digest, true));
  return { id: notice.id, status: 'voided' };
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
