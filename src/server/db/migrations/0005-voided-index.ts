// The dashboard counts a drive's voided signatures; a partial index holds only those rows.
import { sql, type Kysely, type Migration } from 'kysely';

export const voidedIndex: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('signatures_voided_idx').on('signatures').column('drive_id').where(sql.ref('voided_at'), 'is not', null).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('signatures_voided_idx').execute();
  },
};
