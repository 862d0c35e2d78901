// What the lead reads is only what can be shown, and every number is a number: a record whose
// accuracy is 1e309 (JSON for Infinity) is refused alone, its batch stored; names holding NUL, control
// or text-direction characters are refused with their field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEAD_API } from '../../src/shared/lead-api';
import { API, PROTOCOL_VERSION } from '../../src/shared/protocol';
import { accountSession, asSession, countRows, createTestDrive, enroll, signatureRecord, startServer, type Harness, type Session } from './harness';

let server: Harness;
let organizer: Session;
beforeAll(async () => {
  server = await startServer();
  organizer = await accountSession(server, 'organizer');
});
afterAll(() => server.stop());

/** A batch body as JSON text, so numbers beyond double range travel as a device could send them. */
const postRaw = (token: string, json: string) =>
  server.app.inject({ method: 'POST', url: API.batches, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: json });

const UNSHOWABLE = ['Tablet\u0000 7', 'Tablet\u0007', 'Tab\nlet', 'Tablet \u202eevil', 'Tablet \u2066x\u2069', 'Tablet\u009b'];

describe('numbers that are not numbers', () => {
  it('a record whose seq is 1e309 is rejected with its field; the rest of its batch is stored', async () => {
    const { code } = await createTestDrive(server.db, 'Infinity');
    const device = await enroll(server.app, code);
    const good = await signatureRecord(device, 1);
    const bad = await signatureRecord(device, 12345);
    const json = JSON.stringify({ protocol: PROTOCOL_VERSION, records: [good, bad], totals: { capturedThrough: 2, waiting: 0, appVersion: '0.1.0' } }).replace(
      '"seq":12345',
      '"seq":1e309',
    );
    const response = await postRaw(device.token, json);
    expect(response.statusCode).toBe(200);
    expect(response.json().results).toEqual([
      { id: good.id, status: 'stored' },
      { id: bad.id, status: 'rejected', reason: { code: 'invalid_field', field: 'seq', message: expect.any(String) } },
    ]);
    expect(await countRows(server.db, 'signatures', device.deviceId)).toBe(1);
  });

  it('totals.storage.usage = 1e999 is a 400 naming the field, and stores nothing', async () => {
    const { code } = await createTestDrive(server.db, 'Huge storage');
    const device = await enroll(server.app, code);
    const record = await signatureRecord(device, 1);
    const json = JSON.stringify({
      protocol: PROTOCOL_VERSION,
      records: [record],
      totals: { capturedThrough: 1, waiting: 0, appVersion: '0.1.0', storage: { usage: 777, quota: 1000, persisted: true } },
    }).replace('"usage":777', '"usage":1e999');
    const response = await postRaw(device.token, json);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'invalid_field', field: 'totals.storage.usage' } });
    expect(await countRows(server.db, 'signatures', device.deviceId)).toBe(0);
    const row = await server.db.selectFrom('devices').select('storage_usage').where('id', '=', device.deviceId).executeTakeFirstOrThrow();
    expect(row.storage_usage).toBeNull();
  });

  it('a drive goal of 1e999 is a 400 naming the field', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: LEAD_API.drives,
      headers: { cookie: organizer.cookie, 'x-csrf-token': organizer.csrf, 'content-type': 'application/json' },
      payload: '{"title":"Big","goal":1e999,"petitions":[{"language":"en","title":"T","text":"Text."}]}',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'invalid_field', field: 'goal' } });
  });
});

describe('text a lead reads', () => {
  it('a device name or app version with NUL, control or text-direction characters is refused at enrollment', async () => {
    const { code, drive } = await createTestDrive(server.db, 'Names');
    for (const deviceName of UNSHOWABLE) {
      const response = await server.app.inject({ method: 'POST', url: API.enroll, payload: { protocol: PROTOCOL_VERSION, code, deviceName } });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'invalid_field', field: 'deviceName' } });
    }
    const version = await server.app.inject({
      method: 'POST',
      url: API.enroll,
      payload: { protocol: PROTOCOL_VERSION, code, device: { appVersion: '1.0\u202e' } },
    });
    expect(version.json()).toMatchObject({ error: { code: 'invalid_field', field: 'device.appVersion' } });
    expect(await server.db.selectFrom('devices').select('id').where('drive_id', '=', drive.id).execute()).toEqual([]);
    // Letters of every script are fine.
    expect(
      (await server.app.inject({ method: 'POST', url: API.enroll, payload: { protocol: PROTOCOL_VERSION, code, deviceName: 'Tableta 7 · 平板 · لوح' } }))
        .statusCode,
    ).toBe(201);
  });

  it("in a batch's totals, the app version is refused with its field", async () => {
    const { code } = await createTestDrive(server.db, 'Versions');
    const device = await enroll(server.app, code);
    const response = await postRaw(
      device.token,
      JSON.stringify({ protocol: PROTOCOL_VERSION, records: [], totals: { capturedThrough: 0, waiting: 0, appVersion: '0.1.0\u0000' } }),
    );
    expect(response.json()).toMatchObject({ error: { code: 'invalid_field', field: 'totals.appVersion' } });
  });

  it('a volunteer name in a record is refused with its field', async () => {
    const { code } = await createTestDrive(server.db, 'Volunteers');
    const device = await enroll(server.app, code);
    const record = await signatureRecord(device, 1, (c) => (c.volunteer = 'Sam \u202eodiR'));
    const response = await postRaw(
      device.token,
      JSON.stringify({ protocol: PROTOCOL_VERSION, records: [record], totals: { capturedThrough: 1, waiting: 0, appVersion: '0.1.0' } }),
    );
    expect(response.json().results[0]).toMatchObject({ status: 'rejected', reason: { code: 'invalid_field', field: 'volunteer' } });
  });

  it('drive titles, device renames, roster names and lead names are refused the same way; petition text keeps its line breaks', async () => {
    const { code, drive } = await createTestDrive(server.db, 'Lead side');
    const device = await enroll(server.app, code);
    const cases: [method: 'POST' | 'PATCH' | 'PUT', url: string, body: unknown, field: string][] = [
      ['PATCH', LEAD_API.drive(drive.id), { title: 'Title\u0000' }, 'title'],
      ['PATCH', LEAD_API.drive(drive.id), { recipient: 'Council\u202e' }, 'recipient'],
      ['PATCH', LEAD_API.drive(drive.id), { petitions: [{ language: 'en', title: 'T', text: 'One\u0007' }] }, 'petitions.0.text'],
      ['PATCH', LEAD_API.device(drive.id, device.deviceId), { name: 'Tablet\u2066' }, 'name'],
      ['PUT', LEAD_API.roster(drive.id), { volunteers: ['Ana', 'Ben\u0000'] }, 'volunteers.1'],
      ['POST', LEAD_API.accounts, { email: 'x@example.org', name: 'X\u202e' }, 'name'],
    ];
    for (const [method, url, body, field] of cases) {
      const response = await asSession(server.app, organizer, method, url, body);
      expect(response.statusCode, `${method} ${url} ${field}`).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'invalid_field', field } });
    }
    const row = await server.db.selectFrom('drives').select(['title', 'recipient']).where('id', '=', drive.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ title: 'Lead side', recipient: null });
    const lines = await asSession(server.app, organizer, 'PATCH', LEAD_API.drive(drive.id), {
      petitions: [{ language: 'en', title: 'T', text: 'First line.\n\nSecond\tline.' }],
    });
    expect(lines.statusCode).toBe(200);
  });
});

describe('a sign-in with a NUL or control character in the email', () => {
  it('is a 400 naming the field on SQLite and PostgreSQL alike (PostgreSQL text cannot hold NUL), and counts no try', async () => {
    for (const email of ['\u0000', 'lee\u0000@example.org', 'lee@example.org\u0007']) {
      const answer = await server.app.inject({ method: 'POST', url: LEAD_API.session, payload: { email, password: 'not the password' } });
      expect(answer.statusCode).toBe(400);
      expect(answer.json()).toMatchObject({ error: { code: 'invalid_field', field: 'email' } });
    }
    expect(await server.db.selectFrom('failed_attempts').selectAll().where('key', 'like', '%\u0007%').execute()).toEqual([]);
  });
});

describe('an id in the address holding a NUL or a control character', () => {
  it('is a 404 on every drive route, before any query (PostgreSQL cannot hold a NUL)', async () => {
    const organizer = await accountSession(server, 'organizer');
    const ids = ['\u0000', 'a\u0000', 'drive\u0007'];
    const urls = ids.flatMap((id) => [
      LEAD_API.drive(id),
      LEAD_API.dashboard(id),
      LEAD_API.deliveries(id),
      LEAD_API.codes(id),
      LEAD_API.driveKey(id),
      LEAD_API.roster(id),
      LEAD_API.signatures(id),
    ]);
    for (const url of urls) {
      for (const method of ['GET', 'POST'] as const) {
        const answer = await asSession(server.app, organizer, method, url, method === 'POST' ? { passphrase: 'twelve chars or more', limit: 5 } : undefined);
        expect(answer.statusCode, `${method} ${url}`).toBe(404);
        expect(answer.json()).toMatchObject({ error: { code: 'not_found' } });
      }
    }
  });
});
