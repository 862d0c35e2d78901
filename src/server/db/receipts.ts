// Receipts: what the server holds of each device, against what the device says it captured. The
// device shows it after every sync; the lead reads it for every device of a drive.
//
// Cost: `received` and the receipt value are kept on the device row, updated in each batch's
// transaction (O(1) per stored record or void). Contiguity then needs only max(seq) from the
// (device_id, seq) unique index: when received equals it, nothing below is missing. Only a device
// with a gap has its sequence numbers read, once, to list what is missing.
import type { Kysely } from 'kysely';
import { MAX_RECEIPT_MISSING, type Receipt } from '../../shared/protocol';
import { receiptCode } from '../../shared/receipt-code';
import type { Database } from './schema';

interface HeldState {
  deviceId: string;
  capturedThrough: number;
  received: number;
  receiptXor: string;
}

/** The receipt of one device, or undefined for an unknown device. */
export async function deviceReceipt(db: Kysely<Database>, deviceId: string): Promise<Receipt | undefined> {
  const row = await db
    .selectFrom('devices')
    .select(['id', 'captured_through', 'received', 'receipt_xor'])
    .where('id', '=', deviceId)
    .executeTakeFirst();
  if (!row) return undefined;
  return receiptOf(db, { deviceId: row.id, capturedThrough: Number(row.captured_through), received: Number(row.received), receiptXor: row.receipt_xor });
}

/** One receipt per device enrolled on the drive (revoked ones too: what they sent still counts). */
export async function deviceReceipts(db: Kysely<Database>, driveId: string): Promise<Receipt[]> {
  const rows = await db
    .selectFrom('devices')
    .select(['id', 'captured_through', 'received', 'receipt_xor'])
    .where('drive_id', '=', driveId)
    .orderBy('enrolled_at')
    .orderBy('id')
    .execute();
  const receipts: Receipt[] = [];
  for (const row of rows) {
    receipts.push(await receiptOf(db, { deviceId: row.id, capturedThrough: Number(row.captured_through), received: Number(row.received), receiptXor: row.receipt_xor }));
  }
  return receipts;
}

export async function receiptOf(db: Kysely<Database>, held: HeldState): Promise<Receipt> {
  // Two queries, each answered from an index alone: max(seq) from the (device_id, seq) index, the
  // voided count from the partial index of voided rows. Together in one query they read every row.
  const top = await db.selectFrom('signatures').select((eb) => eb.fn.max('seq').as('maxSeq')).where('device_id', '=', held.deviceId).executeTakeFirstOrThrow();
  const voided = await db
    .selectFrom('signatures')
    .select((eb) => eb.fn.countAll<number>().as('voided'))
    .where('device_id', '=', held.deviceId)
    .where('voided_at', 'is not', null)
    .executeTakeFirstOrThrow();
  const maxSeq = Number(top.maxSeq ?? 0);
  const through = Math.max(held.capturedThrough, maxSeq);
  let contiguousThrough: number;
  let missing: number[];
  if (held.received === maxSeq) {
    // Distinct sequence numbers from 1, as many as the highest: none missing below it.
    contiguousThrough = maxSeq;
    missing = range(maxSeq + 1, through, MAX_RECEIPT_MISSING);
  } else {
    ({ contiguousThrough, missing } = await gaps(db, held.deviceId, through));
  }
  const missingCount = through - held.received;
  return {
    deviceId: held.deviceId,
    received: held.received,
    capturedThrough: held.capturedThrough,
    contiguousThrough,
    missing,
    missingCount,
    voided: Number(voided.voided),
    code: await receiptCode(held.received, held.receiptXor),
    complete: missingCount === 0,
  };
}

async function gaps(db: Kysely<Database>, deviceId: string, through: number): Promise<{ contiguousThrough: number; missing: number[] }> {
  const rows = await db.selectFrom('signatures').select('seq').where('device_id', '=', deviceId).orderBy('seq').execute();
  const missing: number[] = [];
  let contiguousThrough: number | undefined;
  let expected = 1;
  for (const { seq } of rows) {
    if (seq > expected) {
      contiguousThrough ??= expected - 1;
      missing.push(...range(expected, seq - 1, MAX_RECEIPT_MISSING - missing.length));
    }
    expected = seq + 1;
  }
  contiguousThrough ??= expected - 1;
  missing.push(...range(expected, through, MAX_RECEIPT_MISSING - missing.length));
  return { contiguousThrough, missing };
}

function range(from: number, to: number, limit: number): number[] {
  const out: number[] = [];
  for (let n = from; n <= to && out.length < limit; n++) out.push(n);
  return out;
}
