// Opening the server database. SQLite (better-sqlite3) is the embedded default; a PostgreSQL dialect
// chosen by DATABASE_URL slots in here later, behind the same { db, close } handle.
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './schema';

export interface DatabaseHandle {
  db: Kysely<Database>;
  close(): Promise<void>;
}

export function openDatabase({ file }: { file: string }): DatabaseHandle {
  const sqlite = new BetterSqlite3(file);
  // WAL: readers do not block the writer; a committed batch survives a crash.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, close: () => db.destroy() };
}
