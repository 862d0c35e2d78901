// The audit log: every unlock, every read of signer details, every sign-in and account change, as
// an append-only chain of entries (see src/server/db/audit-log.ts).
import type { Kysely, Migration } from 'kysely';

export const auditLog: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('audit_log')
      .addColumn('seq', 'integer', (c) => c.primaryKey())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('account_id', 'text')
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('address', 'text')
      .addColumn('drive_id', 'text')
      .addColumn('signers', 'integer')
      .addColumn('detail', 'text')
      .addColumn('prev_hash', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('audit_log_drive_idx').on('audit_log').columns(['drive_id', 'seq']).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('audit_log').execute();
  },
};
