// A receipt counts its device's voided signatures after every batch; without this index that count
// read every signature row of the device, so each batch cost more than the one before.
import { sql, type Kysely, type Migration } from 'kysely';

export const deviceVoidedIndex: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('signatures_device_voided_idx').on('signatures').column('device_id').where(sql.ref('voided_at'), 'is not', null).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('signatures_device_voided_idx').execute();
  },
};
