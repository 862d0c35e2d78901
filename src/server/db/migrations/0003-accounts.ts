// Drive details, accounts, sessions, the roster, and the failed-attempt counters of the rate limit.
import type { Kysely, Migration } from 'kysely';

export const accounts: Migration = {
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
