// Schema migrations as code, in order by name. SQLite today, PostgreSQL later (DATABASE_URL): so only
// portable column types (text, integer, bigint), text timestamps, and no dialect-specific SQL.
// Never edit a migration that has shipped; add the next one.
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { EMPTY_RECEIPT_XOR, receiptEntry, xorHex } from '../../shared/receipt-code';

const initial: Migration = {
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

// Voids and receipts: a void keeps the signature row (and its sequence number) and marks it; each
// device keeps the running receipt value (src/shared/receipt-code.ts) and its held count, updated
// in the batch's transaction, so a receipt never rereads the device's rows.
const voidsAndReceipts: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('signatures').addColumn('void_reason', 'text').execute();
    await db.schema.alterTable('signatures').addColumn('voided_at', 'text').execute();
    await db.schema.alterTable('signatures').addColumn('void_received_at', 'text').execute();
    await db.schema.alterTable('devices').addColumn('receipt_xor', 'text', (c) => c.notNull().defaultTo(EMPTY_RECEIPT_XOR)).execute();
    await db.schema.alterTable('devices').addColumn('received', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    // Signatures stored before this migration enter their device's receipt now.
    const devices = (await db.selectFrom('devices').select('id').execute()) as { id: string }[];
    for (const { id } of devices) {
      const rows = (await db.selectFrom('signatures').select('digest').where('device_id', '=', id).execute()) as { digest: string }[];
      let xor = EMPTY_RECEIPT_XOR;
      for (const row of rows) xor = xorHex(xor, await receiptEntry(row.digest, false));
      await db.updateTable('devices').set({ receipt_xor: xor, received: rows.length }).where('id', '=', id).execute();
    }
  },

  async down(db: Kysely<any>) {
    for (const column of ['void_reason', 'voided_at', 'void_received_at']) await db.schema.alterTable('signatures').dropColumn(column).execute();
    for (const column of ['receipt_xor', 'received']) await db.schema.alterTable('devices').dropColumn(column).execute();
  },
};

// Drive details, accounts, sessions, the roster, and the failed-attempt counters of the rate limit.
const accounts: Migration = {
  async up(db: Kysely<unknown>) {
    // SQLite adds one column per ALTER TABLE.
    for (const column of ['deadline', 'recipient', 'cover_letter', 'required_fields', 'updated_at']) {
      await db.schema.alterTable('drives').addColumn(column, 'text').execute();
    }
    await db.schema.alterTable('petition_versions').addColumn('superseded_at', 'text').execute();

    await db.schema
      .createTable('accounts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('email', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('disabled_at', 'text')
      .execute();

    await db.schema
      .createTable('drive_leads')
      .addColumn('drive_id', 'text', (c) => c.notNull().references('drives.id'))
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
      .addPrimaryKeyConstraint('drive_leads_pk', ['drive_id', 'account_id'])
      .execute();
    await db.schema.createIndex('drive_leads_account_idx').on('drive_leads').column('account_id').execute();

    await db.schema
      .createTable('sessions')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
      .addColumn('csrf_token', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sessions_account_idx').on('sessions').column('account_id').execute();

    await db.schema
      .createTable('roster')
      .addColumn('drive_id', 'text', (c) => c.notNull().references('drives.id'))
      .addColumn('volunteer', 'text', (c) => c.notNull())
      .addColumn('added_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('roster_pk', ['drive_id', 'volunteer'])
      .execute();

    await db.schema
      .createTable('failed_attempts')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('failures', 'integer', (c) => c.notNull())
      .addColumn('window_started_at', 'text', (c) => c.notNull())
      .execute();
  },

  async down(db: Kysely<unknown>) {
    for (const table of ['failed_attempts', 'roster', 'sessions', 'drive_leads', 'accounts']) await db.schema.dropTable(table).execute();
    await db.schema.alterTable('petition_versions').dropColumn('superseded_at').execute();
    for (const column of ['deadline', 'recipient', 'cover_letter', 'required_fields', 'updated_at']) {
      await db.schema.alterTable('drives').dropColumn(column).execute();
    }
  },
};

// The dashboard's figures at a million signatures: counted as they arrive, per (device, day,
// volunteer, city, petition version), instead of scanning every signature on each look.
const tallies: Migration = {
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

// The dashboard counts a drive's voided signatures; a partial index holds only those rows.
const voidedIndex: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('signatures_voided_idx').on('signatures').column('drive_id').where(sql.ref('voided_at'), 'is not', null).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('signatures_voided_idx').execute();
  },
};

// A signer who could not draw signs "with assistance": the attesting volunteer is part of the record.
const assisted: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('signatures').addColumn('assisted_by', 'text').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('signatures').dropColumn('assisted_by').execute();
  },
};

// A receipt counts its device's voided signatures after every batch; without this index that count
// read every signature row of the device, so each batch cost more than the one before.
const deviceVoidedIndex: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('signatures_device_voided_idx').on('signatures').column('device_id').where(sql.ref('voided_at'), 'is not', null).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('signatures_device_voided_idx').execute();
  },
};

export const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-voids-and-receipts': voidsAndReceipts,
  '0003-accounts': accounts,
  '0004-dashboard-tallies': tallies,
  '0005-voided-index': voidedIndex,
  '0006-assisted': assisted,
  '0007-device-voided-index': deviceVoidedIndex,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/** Bring the database to the latest schema; throws (and changes nothing more) if a step fails. */
export async function migrateToLatest<DB>(db: Kysely<DB>): Promise<string[]> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(`migration failed: ${String(error)}`);
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
