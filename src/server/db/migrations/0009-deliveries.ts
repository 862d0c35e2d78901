// Migration 0009: deliveries kept, so the campaign can later prove exactly what it handed over, and
// every hand-over of signer data (a build, a download) recorded as such. Portable types only.
import { sql, type Kysely, type Migration } from 'kysely';

export const deliveriesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('deliveries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('drive_id', 'text', (c) => c.notNull().references('drives.id'))
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('finished_at', 'text')
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('options', 'text', (c) => c.notNull())
      .addColumn('counts', 'text')
      .addColumn('signatures', 'integer')
      .addColumn('packages', 'text')
      .addColumn('report_file', 'text')
      .addColumn('error', 'text')
      .addColumn('pages_done', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('pages_total', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('signatures_done', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('signatures_total', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('builder', 'text', (c) => c.notNull())
      .addColumn('heartbeat_at', 'text', (c) => c.notNull())
      .execute();
    // One build at a time per drive, across every instance: a second insert is a unique violation.
    await db.schema.createIndex('deliveries_building_idx').unique().on('deliveries').column('drive_id').where(sql.ref('state'), '=', 'building').execute();
    await db.schema.createIndex('deliveries_drive_idx').on('deliveries').columns(['drive_id', 'created_at']).execute();

    await db.schema
      .createTable('signer_data_releases')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
      .addColumn('drive_id', 'text', (c) => c.notNull().references('drives.id'))
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('delivery_id', 'text', (c) => c.references('deliveries.id'))
      .addColumn('file', 'text')
      .addColumn('signers', 'integer', (c) => c.notNull())
      .addColumn('address', 'text')
      .addColumn('user_agent', 'text')
      .execute();
    await db.schema.createIndex('signer_data_releases_drive_idx').on('signer_data_releases').columns(['drive_id', 'at']).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('signer_data_releases').execute();
    await db.schema.dropTable('deliveries').execute();
  },
};
