// Schema migrations as code, one file per migration, applied in order by name. SQLite and
// PostgreSQL (DATABASE_URL) run the same ones: so only portable column types (text, integer,
// bigint), text timestamps, and no dialect-specific SQL. A migration never imports live code (it
// keeps a frozen copy of what it needs), so it does the same on every database forever.
// Never edit a migration that has shipped; add the next file and list it here.
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { initial } from './0001-initial';
import { voidsAndReceipts } from './0002-voids-and-receipts';
import { accounts } from './0003-accounts';
import { tallies } from './0004-dashboard-tallies';
import { voidedIndex } from './0005-voided-index';
import { assisted } from './0006-assisted';
import { deviceVoidedIndex } from './0007-device-voided-index';
import { driveTimeZone } from './0008-drive-time-zone';
import { deliveriesMigration } from './0009-deliveries';
import { auditLog } from './0010-audit-log';
import { sealedSigners } from './0011-sealed-signers';

export const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-voids-and-receipts': voidsAndReceipts,
  '0003-accounts': accounts,
  '0004-dashboard-tallies': tallies,
  '0005-voided-index': voidedIndex,
  '0006-assisted': assisted,
  '0007-device-voided-index': deviceVoidedIndex,
  '0008-drive-time-zone': driveTimeZone,
  '0009-deliveries': deliveriesMigration,
  '0010-audit-log': auditLog,
  '0011-sealed-signers': sealedSigners,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/** Bring the database to the latest schema; throws (and changes nothing more) if a step fails. */
export async function migrateToLatest<DB>(db: Kysely<DB>): Promise<string[]> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(`migration failed: ${String(error)}`);
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
