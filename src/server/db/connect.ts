// Opening the server database: SQLite (better-sqlite3) by default, PostgreSQL when a URL is given
// (DATABASE_URL). Both behind the same { db, close } handle and the same migrations.
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';
import pg from 'pg';
import type { Database } from './schema';

export type DatabaseKind = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: DatabaseKind;
  /** Where the data lives, for the start-up banner (a URL without its password). */
  location: string;
  /** How it was opened (a worker thread opens its own connection with it). */
  connection: ConnectOptions;
  /** Queries waiting for a connection from the pool (PostgreSQL; SQLite has one connection and no pool). */
  poolQueue?: () => number;
  close(): Promise<void>;
}

const PG_INT8 = 20;
const PG_NUMERIC = 1700;

/**
 * pg hands back int8 (count(*), bigint columns) and numeric as strings, to be safe beyond 2^53. Our
 * counts and byte sizes stay far below that, and the SQLite side gives numbers: parse them so both
 * dialects return the same types.
 */
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === PG_INT8 || oid === PG_NUMERIC) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/** Where a database is: what a worker thread needs to open its own connection to the same one. */
export type ConnectOptions = { file: string } | { url: string; poolSize?: number };

export function openDatabase(options: ConnectOptions): DatabaseHandle {
  if ('url' in options) return openPostgres(options.url, options.poolSize);
  const sqlite = new BetterSqlite3(options.file);
  // WAL: readers do not block the writer; a committed batch survives a crash.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  // Deleted content is overwritten with zeros, not left in free pages: rows whose clear signer columns
  // were sealed and emptied (a drive made before keys) leave nothing readable in the file.
  sqlite.pragma('secure_delete = ON');
  sqlite.pragma('busy_timeout = 5000');
  const connection = withStatementCache(sqlite);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: connection }) });
  sqliteConnections.set(db, connection);
  return { db, kind: 'sqlite', location: options.file, connection: options, close: () => db.destroy() };
}

const sqliteConnections = new WeakMap<Kysely<Database>, SqliteDatabase>();

/**
 * The one SQLite connection behind a database opened here (undefined for PostgreSQL), for the few
 * statements run too often to pay for Kysely building each one. A statement run on it inside a
 * transaction of `db` is part of that transaction: Kysely's SQLite dialect has only this connection.
 */
export function sqliteConnectionOf(db: Kysely<Database>): SqliteDatabase | undefined {
  return sqliteConnections.get(db);
}

function openPostgres(url: string, poolSize = 10): DatabaseHandle {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types: pgTypes });
  // An idle client losing its connection (a PostgreSQL restart) must not crash the server.
  pool.on('error', (e) => console.error('PostgreSQL connection lost:', e.message));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', location: redactPassword(url), connection: { url, poolSize }, poolQueue: () => pool.waitingCount, close: () => db.destroy() };
}

export function redactPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres (unparseable URL)';
  }
}

/** A unique or primary-key violation, on either dialect: a concurrent writer got there first. */
export function isUniqueViolation(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
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
