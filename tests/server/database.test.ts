import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUniqueViolation } from '../../src/server/db/connect';
import { createTestDrive, enroll, postBatch, signatureRecord, startServer, TEST_DATABASE_URL, totals, type Harness } from './harness';

let server: Harness;

beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.stop());

describe('the same code on SQLite and PostgreSQL', () => {
  it('runs on the database the test run asked for', () => {
    expect(server.kind).toBe(TEST_DATABASE_URL ? 'postgres' : 'sqlite');
  });

  it('gives counts and byte sizes beyond 2^31 back as numbers, not strings', async () => {
    const { code } = await createTestDrive(server.db);
    const device = await enroll(server.app, code);
    const record = await signatureRecord(device, 1);
    const storage = { usage: 3_500_000_000, quota: 60_000_000_000, persisted: true };
    expect((await postBatch(server.app, device.token, [record], totals(1, { storage }))).statusCode).toBe(200);

    const row = await server.db
      .selectFrom('devices')
      .select(['storage_usage', 'storage_quota', 'storage_persisted'])
      .where('id', '=', device.deviceId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ storage_usage: 3_500_000_000, storage_quota: 60_000_000_000, storage_persisted: 1 });
    const { n } = await server.db
      .selectFrom('signatures')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(n).toBe(1);
  });

  it('reports a second row with the same key as a unique violation, and keeps the first', async () => {
    const { drive } = await createTestDrive(server.db, 'Unique keys');
    const row = { code: 'ABCD-EFGH', drive_id: drive.id, uses_left: 1, expires_at: '2999-01-01T00:00:00.000Z', created_at: new Date().toISOString() };
    await server.db.insertInto('enrollment_codes').values(row).execute();

    const error = await server.db
      .insertInto('enrollment_codes')
      .values({ ...row, uses_left: 9 })
      .execute()
      .catch((e: unknown) => e);

    expect(isUniqueViolation(error)).toBe(true);
    const kept = await server.db.selectFrom('enrollment_codes').select('uses_left').where('code', '=', row.code).executeTakeFirstOrThrow();
    expect(kept.uses_left).toBe(1);
  });
});
