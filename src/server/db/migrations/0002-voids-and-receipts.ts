// Voids and receipts: a void keeps the signature row (and its sequence number) and marks it; each
// device keeps the running receipt value (src/shared/receipt-code.ts) and its held count, updated
// in the batch's transaction, so a receipt never rereads the device's rows.
import type { Kysely, Migration } from 'kysely';

// Frozen copies of the receipt arithmetic as this migration was written: a migration must give the
// same result forever, whatever later becomes of the live code. No signature was voided before this
// migration, so each held signature's entry is the first 32 hex digits of its digest.
const EMPTY_RECEIPT_XOR = '0'.repeat(32);

function heldEntry(digest: string): string {
  return digest.slice(0, 32);
}

/** XOR of two 32-hex-digit values, 8 digits (32 bits) at a time. */
function xorHex(a: string, b: string): string {
  let out = '';
  for (let i = 0; i < 32; i += 8) out += ((parseInt(a.slice(i, i + 8), 16) ^ parseInt(b.slice(i, i + 8), 16)) >>> 0).toString(16).padStart(8, '0');
  return out;
}

/** The columns this migration reads and writes, as they were then. */
interface Tables {
  devices: { id: string; receipt_xor: string; received: number };
  signatures: { device_id: string; digest: string };
}

export const voidsAndReceipts: Migration = {
  async up(db: Kysely<Tables>) {
    await db.schema.alterTable('signatures').addColumn('void_reason', 'text').execute();
    await db.schema.alterTable('signatures').addColumn('voided_at', 'text').execute();
    await db.schema.alterTable('signatures').addColumn('void_received_at', 'text').execute();
    await db.schema
      .alterTable('devices')
      .addColumn('receipt_xor', 'text', (c) => c.notNull().defaultTo(EMPTY_RECEIPT_XOR))
      .execute();
    await db.schema
      .alterTable('devices')
      .addColumn('received', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    // Signatures stored before this migration enter their device's receipt now.
    const devices = await db.selectFrom('devices').select('id').execute();
    for (const { id } of devices) {
      const rows = await db.selectFrom('signatures').select('digest').where('device_id', '=', id).execute();
      let xor = EMPTY_RECEIPT_XOR;
      for (const row of rows) xor = xorHex(xor, heldEntry(row.digest));
      await db.updateTable('devices').set({ receipt_xor: xor, received: rows.length }).where('id', '=', id).execute();
    }
  },

  async down(db: Kysely<unknown>) {
    for (const column of ['void_reason', 'voided_at', 'void_received_at']) await db.schema.alterTable('signatures').dropColumn(column).execute();
    for (const column of ['receipt_xor', 'received']) await db.schema.alterTable('devices').dropColumn(column).execute();
  },
};
