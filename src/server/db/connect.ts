// Opening the server database. SQLite (better-sqlite3) is the embedded default; a PostgreSQL dialect
// chosen by DATABASE_URL slots in here later, behind the same { db, close } handle.
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';
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
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return { db, close: () => db.destroy() };
}

const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely prepares every query afresh; a batch runs the same few queries hundreds of times, and
 * preparing them was a large share of filing a batch (tests/bench/ingest.bench.ts). SQLite re-prepares
 * a cached statement by itself after a schema change.
 */
function withStatementCache(sqlite: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => sqlite.close(),
    prepare(sql) {
      let statement = cache.get(sql);
      if (!statement) {
        statement = sqlite.prepare(sql);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}
