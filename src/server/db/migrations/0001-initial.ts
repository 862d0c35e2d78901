// The first schema: drives, petition versions, enrollment codes, devices, signatures, conflicts
// and rejections.
import type { Kysely, Migration } from 'kysely';

export const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('drives')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('goal', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('petition_versions')
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('drive_id', 'text', (c) => c.notNull().references('drives.id'))
      .addColumn('language', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      // Keyed per drive: drives in several cities may carry the very same text (the same digest).
      .addPrimaryKeyConstraint('petition_versions_pk', ['drive_id', 'version'])
      .execute();

    await db.schema
      .createTable('enrollment_codes')
      .addColumn('code', 'text', (c) => c.primaryKey())
      .addColumn('drive_id', 'text', (c) => c.notNull().references('drives.id'))
      .addColumn('uses_left', 'integer', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('devices')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('drive_id', 'text', (c) => c.notNull().references('drives.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('enrolled_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .addColumn('last_sync_at', 'text')
      .addColumn('captured_through', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('waiting', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('app_version', 'text')
      .addColumn('storage_usage', 'bigint')
      .addColumn('storage_quota', 'bigint')
      .addColumn('storage_persisted', 'integer')
      .execute();

    await db.schema
      .createTable('signatures')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('drive_id', 'text', (c) => c.notNull().references('drives.id'))
      .addColumn('petition_version', 'text', (c) => c.notNull())
      .addColumn('language', 'text', (c) => c.notNull())
      .addColumn('volunteer', 'text', (c) => c.notNull())
      .addColumn('captured_at', 'text', (c) => c.notNull())
      .addColumn('given_name', 'text', (c) => c.notNull())
      .addColumn('family_name', 'text', (c) => c.notNull())
      .addColumn('street', 'text', (c) => c.notNull())
      .addColumn('city', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('zip', 'text', (c) => c.notNull())
      .addColumn('email', 'text')
      .addColumn('autograph', 'text', (c) => c.notNull())
      .addColumn('location', 'text')
      .addColumn('digest', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('signatures_device_seq_unique', ['device_id', 'seq'])
      .addForeignKeyConstraint('signatures_petition_fk', ['drive_id', 'petition_version'], 'petition_versions', ['drive_id', 'version'])
      .execute();
    await db.schema.createIndex('signatures_drive_received_idx').on('signatures').columns(['drive_id', 'received_at']).execute();

    // A text uuid key: autoincrement and identity columns are spelled differently per dialect.
    await db.schema
      .createTable('conflicts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('record_id', 'text', (c) => c.notNull())
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('digest', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('code', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      // Each distinct content of a record is kept once, however often it is delivered.
      .addUniqueConstraint('conflicts_record_digest_unique', ['record_id', 'digest'])
      .execute();

    await db.schema
      .createTable('rejections')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
      .addColumn('record_id', 'text')
      .addColumn('seq', 'integer')
      .addColumn('code', 'text', (c) => c.notNull())
      .addColumn('field', 'text')
      .addColumn('message', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('rejections_device_idx').on('rejections').column('device_id').execute();
  },

  async down(db: Kysely<unknown>) {
    for (const table of ['rejections', 'conflicts', 'signatures', 'devices', 'enrollment_codes', 'petition_versions', 'drives']) {
      await db.schema.dropTable(table).execute();
    }
  },
};
