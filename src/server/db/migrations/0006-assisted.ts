// A signer who could not draw signs "with assistance": the attesting volunteer is part of the record.
import type { Kysely, Migration } from 'kysely';

export const assisted: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('signatures').addColumn('assisted_by', 'text').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('signatures').dropColumn('assisted_by').execute();
  },
};
