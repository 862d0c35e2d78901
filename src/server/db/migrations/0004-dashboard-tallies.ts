// The dashboard's figures at a million signatures: counted as they arrive, per (device, day,
// volunteer, city, petition version), instead of scanning every signature on each look.
import { sql, type Kysely, type Migration } from 'kysely';

export const tallies: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('signature_tallies')
      .addColumn('drive_id', 'text', (c) => c.notNull())
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('volunteer', 'text', (c) => c.notNull())
      .addColumn('city', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('petition_version', 'text', (c) => c.notNull())
      .addColumn('language', 'text', (c) => c.notNull())
      .addColumn('signatures', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('signature_tallies_pk', ['drive_id', 'device_id', 'day', 'volunteer', 'city', 'state', 'petition_version', 'language'])
      .execute();
    await sql`INSERT INTO signature_tallies (drive_id, device_id, day, volunteer, city, state, petition_version, language, signatures)
      SELECT drive_id, device_id, substr(captured_at, 1, 10), volunteer, city, state, petition_version, language, count(*)
      FROM signatures GROUP BY drive_id, device_id, substr(captured_at, 1, 10), volunteer, city, state, petition_version, language`.execute(db);
    await db.schema.createIndex('conflicts_device_idx').on('conflicts').column('device_id').execute();
    await db.schema.createIndex('devices_drive_idx').on('devices').column('drive_id').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('devices_drive_idx').execute();
    await db.schema.dropIndex('conflicts_device_idx').execute();
    await db.schema.dropTable('signature_tallies').execute();
  },
};
