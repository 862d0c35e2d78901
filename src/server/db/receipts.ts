// Receipts: what the server holds of each device, against what the device says it captured. The
// device shows it after every sync; the lead reads it for every device of a drive.
//
// Cost: `received` and the receipt value are kept on the device row, updated in each batch's
// transaction (O(1) per stored record or void). Contiguity then needs only max(seq) from the
// (device_id, seq) unique index: when received equals it, nothing below is missing. Only a device
// with a gap has its sequence numbers read, once, to list what is missing.
import { sql, type Kysely } from 'kysely';
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
  const row = await db.selectFrom('devices').select(['id', 'captured_through', 'received', 'receipt_xor']).where('id', '=', deviceId).executeTakeFirst();
  if (!row) return undefined;
  return receiptOf(db, { deviceId: row.id, capturedThrough: Number(row.captured_through), received: Number(row.received), receiptXor: row.receipt_xor });
}

/**
 * One receipt per device enrolled on the drive (revoked ones too: what they sent still counts), in
 * enrollment order: what the lead's receipts and the dashboard's day's-end table show. Three
 * statements for the whole drive, plus one per device with a gap.
 */
export async function deviceReceipts(db: Kysely<Database>, driveId: string): Promise<Receipt[]> {
  const rows = await db
    .selectFrom('devices as d')
    .select((eb) => [
      'd.id',
      'd.captured_through',
      'd.received',
      'd.receipt_xor',
      // One index seek per device on (device_id, seq).
      eb
        .selectFrom('signatures as s')
        .select((s) => s.fn.max('s.seq').as('m'))
        .whereRef('s.device_id', '=', 'd.id')
        .as('top'),
    ])
    .where('d.drive_id', '=', driveId)
    .orderBy('d.enrolled_at')
    .orderBy('d.id')
    .execute();
  const voided = await db
    .selectFrom('signatures')
    .select((eb) => ['device_id', eb.fn.countAll<number>().as('n')])
    .where('drive_id', '=', driveId)
    .where('voided_at', 'is not', null)
    .groupBy('device_id')
    .execute();
  const voidedBy = new Map(voided.map((v) => [v.device_id, Number(v.n)]));
  const receipts: Receipt[] = [];
  for (const row of rows) {
    const held = { deviceId: row.id, capturedThrough: Number(row.captured_through), received: Number(row.received), receiptXor: row.receipt_xor };
    receipts.push(await assemble(db, held, Number(row.top ?? 0), voidedBy.get(row.id) ?? 0));
  }
  return receipts;
}

export async function receiptOf(db: Kysely<Database>, held: HeldState): Promise<Receipt> {
  // Two queries, each answered from an index alone: max(seq) from the (device_id, seq) index, the
  // voided count from the partial index of voided rows. Together in one query they read every row.
  const top = await db
    .selectFrom('signatures')
    .select((eb) => eb.fn.max('seq').as('maxSeq'))
    .where('device_id', '=', held.deviceId)
    .executeTakeFirstOrThrow();
  const voided = await db
    .selectFrom('signatures')
    .select((eb) => eb.fn.countAll<number>().as('voided'))
    .where('device_id', '=', held.deviceId)
    .where('voided_at', 'is not', null)
    .executeTakeFirstOrThrow();
  return assemble(db, held, Number(top.maxSeq ?? 0), Number(voided.voided));
}

async function assemble(db: Kysely<Database>, held: HeldState, maxSeq: number, voided: number): Promise<Receipt> {
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
    voided,
    code: await receiptCode(held.received, held.receiptXor),
    complete: missingCount === 0,
  };
}

/**
 * The holes in a device's sequence numbers up to `through`. Only the holes leave the database: each
 * held number followed by a jump, from a window over the device's (device_id, seq) index; sentinels
 * 0 and through + 1 catch holes at either end.
 */
async function gaps(db: Kysely<Database>, deviceId: string, through: number): Promise<{ contiguousThrough: number; missing: number[] }> {
  const held = db
    .selectFrom('signatures')
    .select('seq')
    .where('device_id', '=', deviceId)
    .where('seq', '<=', through)
    .unionAll(db.selectNoFrom((eb) => eb.val(0).as('seq')))
    .unionAll(db.selectNoFrom((eb) => eb.val(through + 1).as('seq')));
  const jumps = await db
    .selectFrom(
      db
        .selectFrom(held.as('held'))
        .select((_eb) => ['seq', sql<number>`lead(seq) over (order by seq)`.as('next')])
        .as('ordered'),
    )
    .select(['seq', 'next'])
    .where(sql<boolean>`next - seq > 1`)
    .orderBy('seq')
    .execute();
  const missing: number[] = [];
  for (const { seq, next } of jumps) missing.push(...range(Number(seq) + 1, Number(next) - 1, MAX_RECEIPT_MISSING - missing.length));
  const contiguousThrough = jumps.length > 0 ? Number(jumps[0]!.seq) : through;
  return { contiguousThrough, missing };
}

function range(from: number, to: number, limit: number): number[] {
  const out: number[] = [];
  for (let n = from; n <= to && out.length < limit; n++) out.push(n);
  return out;
}
