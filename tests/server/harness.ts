// A real server on a real database, plus records built with the shared code the devices use. SQLite
// in a fresh temp folder by default; with FIELDPEN_TEST_DATABASE_URL (what `npm run test:postgres`
// sets) a fresh PostgreSQL database per harness start, dropped at stop.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Migrator, type Kysely } from 'kysely';
import pg from 'pg';
import { buildServer, type ServerOptions } from '../../src/server/app';
import { openDatabase, type DatabaseHandle, type DatabaseKind } from '../../src/server/db/connect';
import { createDrive } from '../../src/server/db/drives';
import { createEnrollmentCode } from '../../src/server/db/enrollment-codes';
import { MIGRATIONS, migrateToLatest } from '../../src/server/db/migrations';
import type { Database } from '../../src/server/db/schema';
import { API, PROTOCOL_VERSION, type DeviceTotals, type DriveInfo, type EnrollResponse } from '../../src/shared/protocol';
import { CSRF_HEADER, LEAD_API, type SessionInfo } from '../../src/shared/lead-api';
import { addDriveLead, createAccount } from '../../src/server/db/accounts';
import { usePasswordCost } from '../../src/server/passwords';
import { unlockWithPassphrase, useDriveKeyCost } from '../../src/server/drive-keys';
import { driveKeyOf } from '../../src/server/db/drive-keys';
import type { SignatureRecord, SignerDetails } from '../../src/shared/schema';
import { openSignerDetails } from '../../src/shared/signer-seal';
import type { Role } from '../../src/server/db/schema';

export interface Harness {
  app: FastifyInstance;
  db: Kysely<Database>;
  kind: DatabaseKind;
  dir: string;
  closeDatabase(): Promise<void>;
  stop(): Promise<void>;
}

export const TEST_DATABASE_URL = process.env.FIELDPEN_TEST_DATABASE_URL;

/**
 * Accounts made by tests hash at scrypt N=2^14 (the cost before OWASP's): about a tenth of a second,
 * not a second, per hash. tests/server/passwords.test.ts runs at the server's own cost.
 */
export const TEST_PASSWORD_COST = { N: 2 ** 14, r: 8, p: 1 };
usePasswordCost(TEST_PASSWORD_COST);
// Drive passphrases likewise (src/server/drive-keys.ts); tests of the drive key itself set their own.
useDriveKeyCost(TEST_PASSWORD_COST);

/** The passphrase of every drive createTestDrive makes. */
export const TEST_DRIVE_PASSPHRASE = 'correct horse battery staple';

/** A database of its own for one harness: a SQLite file in `dir`, or a new PostgreSQL database. */
export async function freshDatabase(dir: string): Promise<{ database: DatabaseHandle; drop(): Promise<void> }> {
  if (!TEST_DATABASE_URL) return { database: openDatabase({ file: join(dir, 'fieldpen.sqlite') }), drop: async () => {} };
  const created = await createTestDatabase();
  return { database: openDatabase({ url: created.url, poolSize: 4 }), drop: created.drop };
}

/** A new, empty PostgreSQL database on the test cluster (FIELDPEN_TEST_DATABASE_URL must be set). */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!TEST_DATABASE_URL) throw new Error('FIELDPEN_TEST_DATABASE_URL is not set');
  const name = `fieldpen_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function adminQuery(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export async function startServer(options: { staticDir?: string; server?: Partial<ServerOptions> } = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldpen-server-'));
  const fresh = await freshDatabase(dir);
  const database = fresh.database;
  await migrateToLatest(database.db);
  const deliveries = { dir: join(dir, 'deliveries'), connection: database.connection };
  const app = buildServer({ db: database.db, staticDir: options.staticDir, deliveries, ...options.server });
  await app.ready();
  let open = true;
  const closeDatabase = async () => {
    if (open) await database.close();
    open = false;
  };
  return {
    app,
    db: database.db,
    kind: database.kind,
    dir,
    closeDatabase,
    async stop() {
      await app.close();
      await closeDatabase();
      await fresh.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A drive with an English and a Spanish text, and a code that enrolls many devices. */
export async function createTestDrive(db: Kysely<Database>, title = 'Bike lanes on Main Street'): Promise<{ drive: DriveInfo; code: string }> {
  const { recoveryKey: _shownOnce, ...drive } = await createDrive(db, {
    title,
    passphrase: TEST_DRIVE_PASSPHRASE,
    goal: 1000,
    petitions: [
      { language: 'en', title, text: 'We ask the city to paint protected bike lanes on Main Street.' },
      { language: 'es', title: 'Carriles para bicicletas', text: 'Pedimos a la ciudad carriles protegidos para bicicletas en Main Street.' },
    ],
  });
  const code = await createEnrollmentCode(db, { driveId: drive.id, uses: 1000, expiresAt: new Date(Date.now() + 86_400_000) });
  return { drive, code };
}

export async function enroll(app: FastifyInstance, code: string, deviceName?: string): Promise<EnrollResponse> {
  const response = await app.inject({ method: 'POST', url: API.enroll, payload: { protocol: PROTOCOL_VERSION, code, deviceName } });
  if (response.statusCode !== 201) throw new Error(`enrollment failed: ${response.statusCode} ${response.body}`);
  return response.json<EnrollResponse>();
}

/** Records come from the one factory in tests/support/records.ts; server tests import it from here too. */
export { signatureRecord } from '../support/records';

export const totals = (capturedThrough: number, more: Partial<DeviceTotals> = {}): DeviceTotals => ({
  capturedThrough,
  waiting: 0,
  appVersion: '0.1.0-test',
  ...more,
});

export function postBatch(
  app: FastifyInstance,
  token: string | undefined,
  records: unknown[],
  deviceTotals: DeviceTotals = totals(records.length),
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: API.batches,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    payload: { protocol: PROTOCOL_VERSION, records, totals: deviceTotals },
  });
}

export async function countRows(db: Kysely<Database>, table: 'signatures' | 'conflicts' | 'rejections', deviceId: string): Promise<number> {
  const { n } = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .where('device_id', '=', deviceId)
    .executeTakeFirstOrThrow();
  return Number(n);
}

// ── organizers and leads ─────────────────────────────────────────────────────

export interface Session {
  cookie: string;
  csrf: string;
  accountId: string;
}

export async function signIn(app: FastifyInstance, email: string, password: string): Promise<Session> {
  const response = await app.inject({ method: 'POST', url: LEAD_API.session, payload: { email, password } });
  if (response.statusCode !== 201) throw new Error(`sign-in failed: ${response.statusCode} ${response.body}`);
  const setCookie = String(response.headers['set-cookie']);
  const body = response.json<SessionInfo>();
  return { cookie: setCookie.split(';')[0]!, csrf: body.csrfToken, accountId: body.account.id };
}

let accountNumber = 0;

/** An account made straight in the database, signed in. */
export async function accountSession(harness: Harness, role: Role, driveIds: readonly string[] = []): Promise<Session> {
  const email = `${role}-${++accountNumber}-${randomBytes(3).toString('hex')}@example.org`;
  const password = 'correct horse battery staple';
  const id = await createAccount(harness.db, { email, name: `${role} ${accountNumber}`, role, password });
  for (const driveId of driveIds) await addDriveLead(harness.db, driveId, id);
  return signIn(harness.app, email, password);
}

/** A request as a signed-in browser on the server's own origin sends it. */
export function asSession(
  app: FastifyInstance,
  session: Session | undefined,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = {};
  if (session) {
    headers.cookie = session.cookie;
    if (method !== 'GET') headers[CSRF_HEADER] = session.csrf;
  }
  return app.inject({ method, url, headers, ...(payload !== undefined && { payload: payload as Record<string, unknown> }) });
}

const unlockedKeys = new Map<string, Promise<CryptoKey>>();
/**
 * Open a stored signature's sealed details the way an organizer's unlock does, with the test drive's
 * passphrase: what a test reads to check that what was sealed is what the signer gave.
 */
export async function openStoredSignature(db: Kysely<Database>, row: { id: string; drive_id: string; sealed: string | null }): Promise<SignerDetails> {
  if (!row.sealed) throw new Error(`signature ${row.id} holds no sealed details`);
  let key = unlockedKeys.get(row.drive_id);
  if (!key) {
    const stored = await driveKeyOf(db, row.drive_id);
    if (!stored) throw new Error(`drive ${row.drive_id} has no key`);
    unlockedKeys.set(row.drive_id, (key = unlockWithPassphrase(stored.byPassphrase, TEST_DRIVE_PASSPHRASE, row.drive_id)));
  }
  return openSignerDetails(await key, row.sealed, { driveId: row.drive_id, recordId: row.id });
}

/**
 * A signature row as the server kept it before protocol 2 (migration 0011): the signer in clear
 * columns, no sealed details. For tests that build a database of an older schema by hand.
 */
export function clearSignatureRow(record: SignatureRecord, details: SignerDetails, receivedAt: Date) {
  const { signer } = details;
  return {
    id: record.id,
    device_id: record.deviceId,
    seq: record.seq,
    drive_id: record.driveId,
    petition_version: record.petition.version,
    language: record.petition.language,
    volunteer: record.volunteer,
    captured_at: record.capturedAt,
    given_name: signer.givenName,
    family_name: signer.familyName,
    street: signer.street,
    city: signer.city,
    state: signer.state,
    zip: signer.zip,
    email: signer.email ?? null,
    autograph: details.autograph,
    location: details.location ? JSON.stringify(details.location) : null,
    digest: record.digest,
    received_at: receivedAt.toISOString(),
  };
}

/**
 * A drive, its one petition text and one device, written by hand into a database migrated only up
 * to `before` (a migration's name): the rows every schema since 0001 has. For the tests of a migration.
 */
export async function databaseBefore<DB>(
  db: Kysely<DB>,
  before: string,
): Promise<{ db: Kysely<Database>; driveId: string; deviceId: string; version: string }> {
  const upTo = Object.fromEntries(Object.entries(MIGRATIONS).filter(([name]) => name < before));
  const { error } = await new Migrator({ db, provider: { getMigrations: async () => upTo } }).migrateToLatest();
  if (error) throw error;
  const oldDb = db as unknown as Kysely<Database>;
  const now = new Date().toISOString();
  const ids = { driveId: 'old-drive', deviceId: 'old-device', version: 'e'.repeat(64) };
  await oldDb
    .insertInto('drives')
    .values({ id: ids.driveId, title: 'Old drive', goal: 10, created_at: now } as never)
    .execute();
  await oldDb
    .insertInto('petition_versions')
    .values({ version: ids.version, drive_id: ids.driveId, language: 'en', title: 'Old', text: 'An old petition.', created_at: now } as never)
    .execute();
  await oldDb
    .insertInto('devices')
    .values({ id: ids.deviceId, drive_id: ids.driveId, name: 'Tablet 1', token_hash: 'x'.repeat(64), enrolled_at: now } as never)
    .execute();
  return { db: oldDb, ...ids };
}
