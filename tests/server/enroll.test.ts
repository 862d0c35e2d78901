import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API, PROTOCOL_VERSION, type DriveInfo, type EnrollResponse } from '../../src/shared/protocol';
import { createTestDrive, enroll, startServer, type Harness } from './harness';

let server: Harness;
let code: string;
let drive: DriveInfo;

beforeAll(async () => {
  server = await startServer();
  ({ code, drive } = await createTestDrive(server.db));
});
afterAll(() => server.stop());

const enrollWith = (payload: unknown) => server.app.inject({ method: 'POST', url: API.enroll, payload: payload as object });
const deviceCount = async () => (await server.db.selectFrom('devices').select('id').execute()).length;
const usesLeft = async (value: string) =>
  (await server.db.selectFrom('enrollment_codes').select('uses_left').where('code', '=', value).executeTakeFirstOrThrow()).uses_left;

describe('enrolling a device', () => {
  it('a good code enrolls a device whose token then opens its drive', async () => {
    const response = await enrollWith({ protocol: PROTOCOL_VERSION, code, deviceName: 'Tablet of Rosa' });
    expect(response.statusCode).toBe(201);
    const enrolled = response.json<EnrollResponse>();
    expect(enrolled.protocol).toBe(PROTOCOL_VERSION);
    expect(enrolled.drive).toEqual(drive);
    expect(enrolled.drive.petitions.map((p) => p.language)).toEqual(['en', 'es']);

    const driveResponse = await server.app.inject({ method: 'GET', url: API.drive, headers: { authorization: `Bearer ${enrolled.token}` } });
    expect(driveResponse.statusCode).toBe(200);
    expect(driveResponse.json()).toEqual(drive);

    const row = await server.db.selectFrom('devices').selectAll().where('id', '=', enrolled.deviceId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ drive_id: drive.id, name: 'Tablet of Rosa', revoked_at: null, captured_through: 0 });
  });

  it('the server keeps only a hash of the device token', async () => {
    const enrolled = await enroll(server.app, code);
    const row = await server.db.selectFrom('devices').selectAll().where('id', '=', enrolled.deviceId).executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(createHash('sha256').update(enrolled.token).digest('hex'));
    expect(Object.values(row)).not.toContain(enrolled.token);
    expect(enrolled.token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes
  });

  it('takes the code in any case and with or without its dash, using up one use each time', async () => {
    const before = await usesLeft(code);
    await enroll(server.app, code.toLowerCase());
    await enroll(server.app, code.replace('-', ''));
    expect(await usesLeft(code)).toBe(before - 2);
  });

  it("keeps what the device reports of itself, for the lead's table before its first sync", async () => {
    const device = { appVersion: '0.3.0', storage: { usage: 1_250_000, quota: 40_000_000_000, persisted: true } };
    const response = await enrollWith({ protocol: PROTOCOL_VERSION, code, device });
    expect(response.statusCode).toBe(201);
    const row = await server.db.selectFrom('devices').selectAll().where('id', '=', response.json<EnrollResponse>().deviceId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      app_version: '0.3.0',
      storage_usage: 1_250_000,
      storage_quota: 40_000_000_000,
      storage_persisted: 1,
      last_sync_at: null,
      waiting: 0,
    });
  });

  it('gives devices without a name one the lead can tell apart', async () => {
    const first = await enroll(server.app, code);
    const second = await enroll(server.app, code);
    const names = await server.db.selectFrom('devices').select('name').where('id', 'in', [first.deviceId, second.deviceId]).execute();
    expect(new Set(names.map((n) => n.name)).size).toBe(2);
  });
});

describe('a code that does not open a drive', () => {
  async function expectRefused(value: string) {
    const devicesBefore = await deviceCount();
    const response = await enrollWith({ protocol: PROTOCOL_VERSION, code: value });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'invalid_code', field: 'code' } });
    expect(await deviceCount()).toBe(devicesBefore);
  }

  it('an unknown code enrolls nothing', async () => {
    await expectRefused('ZZZZ-ZZZZ');
  });

  it('an expired code enrolls nothing', async () => {
    const { code: expired } = await createTestDrive(server.db, 'Expired drive');
    await server.db
      .updateTable('enrollment_codes')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('code', '=', expired)
      .execute();
    await expectRefused(expired);
  });

  it('a used-up code enrolls nothing and stays used up', async () => {
    const { code: last } = await createTestDrive(server.db, 'One-use drive');
    await server.db.updateTable('enrollment_codes').set({ uses_left: 1 }).where('code', '=', last).execute();
    await enroll(server.app, last);
    await expectRefused(last);
    expect(await usesLeft(last)).toBe(0);
  });
});

describe('an enrollment request the schema refuses', () => {
  it('names the missing field', async () => {
    const response = await enrollWith({ protocol: PROTOCOL_VERSION });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'invalid_field', field: 'code' } });
  });

  it('names the field of a bad device report, and enrolls nothing', async () => {
    const devicesBefore = await deviceCount();
    const before = await usesLeft(code);
    const response = await enrollWith({
      protocol: PROTOCOL_VERSION,
      code,
      device: { appVersion: '0.3.0', storage: { usage: -1, quota: 10, persisted: true } },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'invalid_field', field: 'device.storage.usage' } });
    expect(await deviceCount()).toBe(devicesBefore);
    expect(await usesLeft(code)).toBe(before);
  });

  it('says when the device speaks another protocol', async () => {
    const response = await enrollWith({ protocol: 99, code });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'unsupported_protocol', field: 'protocol' } });
  });

  it('refuses a body that is not an object', async () => {
    const response = await server.app.inject({ method: 'POST', url: API.enroll, headers: { 'content-type': 'application/json' }, payload: '"K7QM-3XPD"' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'invalid_body' } });
  });
});
