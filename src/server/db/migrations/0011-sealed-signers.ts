// Protocol 2: a signer's details and autograph arrive sealed to the drive's key, and the server keeps
// them as received (`signatures.sealed`). The clear signer columns stay for rows filed before this
// version and are null for every sealed row; drives get their key pair (the private key only wrapped:
// under the organizer's passphrase and under a recovery key) and how long tablets keep what they sealed.
// Frozen code: imports nothing of the live code.
import { sql, SqliteAdapter, type Kysely, type Migration } from 'kysely';

/** The signer columns that were NOT NULL and are empty for a sealed row. */
const CLEAR_SIGNER_COLUMNS = ['given_name', 'family_name', 'street', 'zip', 'autograph'] as const;

const SIGNATURE_COLUMNS = [
  'id',
  'device_id',
  'seq',
  'drive_id',
  'petition_version',
  'language',
  'volunteer',
  'captured_at',
  'given_name',
  'family_name',
  'street',
  'city',
  'state',
  'zip',
  'email',
  'autograph',
  'location',
  'digest',
  'received_at',
  'void_reason',
  'voided_at',
  'void_received_at',
  'assisted_by',
] as const;

export const sealedSigners: Migration = {
  // A migration sees the schema of its own time, not today's Database type.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('drive_keys')
      .addColumn('drive_id', 'text', (c) => c.primaryKey().references('drives.id'))
      /** base64url of the raw P-256 point tablets seal to. */
      .addColumn('public_key', 'text', (c) => c.notNull())
      /** JSON of the private key wrapped under the passphrase (scrypt parameters and salt included). */
      .addColumn('by_passphrase', 'text', (c) => c.notNull())
      /** JSON of the private key wrapped under the recovery key shown once to the organizer. */
      .addColumn('by_recovery_key', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.alterTable('drives').addColumn('purge_after_hours', 'integer').execute();
    // When a revoked device was first told to wipe its confirmed payloads (its next contact after the revoke).
    await db.schema.alterTable('devices').addColumn('wipe_told_at', 'text').execute();

    if (db.getExecutor().adapter instanceof SqliteAdapter) {
      await rebuildSignaturesOnSqlite(db);
    } else {
      await db.schema.alterTable('signatures').addColumn('sealed', 'text').execute();
      for (const column of CLEAR_SIGNER_COLUMNS)
        await db.schema
          .alterTable('signatures')
          .alterColumn(column, (c) => c.dropNotNull())
          .execute();
    }
  },
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async down(db: Kysely<any>) {
    await db.schema.dropTable('drive_keys').execute();
    await db.schema.alterTable('drives').dropColumn('purge_after_hours').execute();
    await db.schema.alterTable('devices').dropColumn('wipe_told_at').execute();
    await db.schema.alterTable('signatures').dropColumn('sealed').execute();
  },
};

/** SQLite cannot drop a NOT NULL: the table is made again (https://sqlite.org/lang_altertable.html#otheralter). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function rebuildSignaturesOnSqlite(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('signatures_sealed')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('drive_id', 'text', (c) => c.notNull().references('drives.id'))
    .addColumn('petition_version', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('volunteer', 'text', (c) => c.notNull())
    .addColumn('captured_at', 'text', (c) => c.notNull())
    .addColumn('given_name', 'text')
    .addColumn('family_name', 'text')
    .addColumn('street', 'text')
    .addColumn('city', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('zip', 'text')
    .addColumn('email', 'text')
    .addColumn('autograph', 'text')
    .addColumn('location', 'text')
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('void_reason', 'text')
    .addColumn('voided_at', 'text')
    .addColumn('void_received_at', 'text')
    .addColumn('assisted_by', 'text')
    .addColumn('sealed', 'text')
    .addUniqueConstraint('signatures_sealed_device_seq_unique', ['device_id', 'seq'])
    .addForeignKeyConstraint('signatures_sealed_petition_fk', ['drive_id', 'petition_version'], 'petition_versions', ['drive_id', 'version'])
    .execute();
  const columns = sql.join(SIGNATURE_COLUMNS.map((c) => sql.ref(c)));
  await sql`INSERT INTO signatures_sealed (${columns}) SELECT ${columns} FROM signatures`.execute(db);
  await db.schema.dropTable('signatures').execute();
  await db.schema.alterTable('signatures_sealed').renameTo('signatures').execute();
  await db.schema.createIndex('signatures_drive_received_idx').on('signatures').columns(['drive_id', 'received_at']).execute();
  await db.schema.createIndex('signatures_voided_idx').on('signatures').column('drive_id').where(sql.ref('voided_at'), 'is not', null).execute();
  await db.schema.createIndex('signatures_device_voided_idx').on('signatures').column('device_id').where(sql.ref('voided_at'), 'is not', null).execute();
}
