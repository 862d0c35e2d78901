import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSessionToken } from '../../src/server/db/accounts';
import { ATTEMPT_WINDOW_MS, lockedFor, MAX_WRONG_CODES, MAX_WRONG_PASSWORDS, recordFailure } from '../../src/server/db/failed-attempts';
import { createFirstOrganizer } from '../../src/server/first-organizer';
import { CSRF_HEADER, LEAD_API, SESSION_COOKIE } from '../../src/shared/lead-api';
import { API, PROTOCOL_VERSION } from '../../src/shared/protocol';
import { createEnrollmentCode } from '../../src/server/db/enrollment-codes';
import {
  accountSession,
  asSession,
  createTestDrive,
  enroll,
  postBatch,
  signatureRecord,
  signIn,
  startServer,
  TEST_DRIVE_PASSPHRASE,
  type Harness,
} from './harness';

let server: Harness;

beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.stop());

describe('the first organizer', () => {
  it('is made once on an empty database, with a one-time password that signs in', async () => {
    const first = await createFirstOrganizer(server.db, 'Founder@Example.org');
    expect(first?.email).toBe('founder@example.org');
    expect(first!.password.length).toBeGreaterThanOrEqual(16);
    expect(await createFirstOrganizer(server.db)).toBeUndefined();

    const row = await server.db.selectFrom('accounts').selectAll().executeTakeFirstOrThrow();
    expect(row.role).toBe('organizer');
    expect(row.password_hash).toMatch(/^scrypt\$/);
    expect(row.password_hash).not.toContain(first!.password);
    const session = await signIn(server.app, 'founder@example.org', first!.password);
    const me = await asSession(server.app, session, 'GET', LEAD_API.session);
    expect(me.json()).toMatchObject({ account: { email: 'founder@example.org', role: 'organizer' } });
  });
});

describe('signing in and out', () => {
  it('sets an HttpOnly, SameSite=Strict cookie whose token the database holds only hashed', async () => {
    const session = await accountSession(server, 'lead');
    const token = session.cookie.slice(`${SESSION_COOKIE}=`.length);
    const sessions = await server.db.selectFrom('sessions').selectAll().where('account_id', '=', session.accountId).execute();
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.token_hash).toBe(hashSessionToken(token));
    expect(JSON.stringify(sessions)).not.toContain(token);

    const response = await server.app.inject({ method: 'POST', url: LEAD_API.session, payload: { email: 'nobody@example.org', password: 'x' } });
    expect(response.statusCode).toBe(401);
    const fresh = await server.app.inject({
      method: 'POST',
      url: LEAD_API.session,
      payload: {
        email: (await server.db.selectFrom('accounts').select('email').where('id', '=', session.accountId).executeTakeFirstOrThrow()).email,
        password: 'correct horse battery staple',
      },
    });
    expect(String(fresh.headers['set-cookie'])).toMatch(/HttpOnly/);
    expect(String(fresh.headers['set-cookie'])).toMatch(/SameSite=Strict/);
  });

  it('signing out ends the session on the server: the old cookie gets 401', async () => {
    const session = await accountSession(server, 'organizer');
    const out = await asSession(server.app, session, 'DELETE', LEAD_API.session);
    expect(out.statusCode).toBe(204);
    expect(await server.db.selectFrom('sessions').select('token_hash').where('account_id', '=', session.accountId).execute()).toEqual([]);
    expect((await asSession(server.app, session, 'GET', LEAD_API.drives)).statusCode).toBe(401);
  });

  it(`after ${MAX_WRONG_PASSWORDS} wrong passwords even the right one is refused for a while`, async () => {
    const session = await accountSession(server, 'lead');
    const { email } = await server.db.selectFrom('accounts').select('email').where('id', '=', session.accountId).executeTakeFirstOrThrow();
    const attempt = (password: string) => server.app.inject({ method: 'POST', url: LEAD_API.session, payload: { email, password } });
    for (let i = 0; i < MAX_WRONG_PASSWORDS; i++) expect((await attempt('wrong password')).statusCode).toBe(401);

    const locked = await attempt('correct horse battery staple');
    expect(locked.statusCode).toBe(429);
    expect(locked.json()).toMatchObject({ error: { code: 'rate_limited', message: expect.stringMatching(/wait \d+ minute/) } });
    expect(locked.headers['set-cookie']).toBeUndefined();
  });

  it('the count of wrong tries starts over once its 15-minute window has passed', async () => {
    const key = 'password:203.0.113.9:someone@example.org';
    const t0 = new Date('2026-11-01T10:00:00Z');
    for (let i = 0; i < MAX_WRONG_PASSWORDS; i++) await recordFailure(server.db, key, t0);
    expect(await lockedFor(server.db, key, MAX_WRONG_PASSWORDS, new Date(t0.getTime() + 60_000))).toBe(14 * 60);
    const later = new Date(t0.getTime() + ATTEMPT_WINDOW_MS + 1000);
    expect(await lockedFor(server.db, key, MAX_WRONG_PASSWORDS, later)).toBe(0);
    await recordFailure(server.db, key, later);
    const row = await server.db.selectFrom('failed_attempts').selectAll().where('key', '=', key).executeTakeFirstOrThrow();
    expect(row).toEqual({ key, failures: 1, window_started_at: later.toISOString() });
  });

  it('a changed password ends the other sessions and the old password stops working', async () => {
    const session = await accountSession(server, 'lead');
    const { email } = await server.db.selectFrom('accounts').select('email').where('id', '=', session.accountId).executeTakeFirstOrThrow();
    const other = await signIn(server.app, email, 'correct horse battery staple');
    const change = await asSession(server.app, session, 'POST', LEAD_API.password, {
      currentPassword: 'correct horse battery staple',
      newPassword: 'a much longer new password',
    });
    expect(change.statusCode).toBe(204);
    expect((await asSession(server.app, other, 'GET', LEAD_API.session)).statusCode).toBe(401);
    expect((await asSession(server.app, session, 'GET', LEAD_API.session)).statusCode).toBe(200);
    await expect(signIn(server.app, email, 'correct horse battery staple')).rejects.toThrow(/401/);
    await signIn(server.app, email, 'a much longer new password');
  });
});

describe('cross-site request forgery', () => {
  it("a state-changing request without the session's CSRF token is refused and changes nothing", async () => {
    const organizer = await accountSession(server, 'organizer');
    const { drive } = await createTestDrive(server.db, 'CSRF drive');
    const response = await server.app.inject({ method: 'PATCH', url: LEAD_API.drive(drive.id), headers: { cookie: organizer.cookie }, payload: { goal: 5 } });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ error: { code: 'csrf' } });
    expect((await server.db.selectFrom('drives').select('goal').where('id', '=', drive.id).executeTakeFirstOrThrow()).goal).toBe(1000);
  });

  it('a request from another origin is refused even with the token', async () => {
    const organizer = await accountSession(server, 'organizer');
    const { drive } = await createTestDrive(server.db, 'Origin drive');
    const response = await server.app.inject({
      method: 'PATCH',
      url: LEAD_API.drive(drive.id),
      headers: { cookie: organizer.cookie, [CSRF_HEADER]: organizer.csrf, origin: 'https://evil.example', host: 'fieldpen.example' },
      payload: { goal: 5 },
    });
    expect(response.statusCode).toBe(403);
    expect((await server.db.selectFrom('drives').select('goal').where('id', '=', drive.id).executeTakeFirstOrThrow()).goal).toBe(1000);
    const sameOrigin = await server.app.inject({
      method: 'PATCH',
      url: LEAD_API.drive(drive.id),
      headers: { cookie: organizer.cookie, [CSRF_HEADER]: organizer.csrf, origin: 'http://fieldpen.example', host: 'fieldpen.example' },
      payload: { goal: 5 },
    });
    expect(sameOrigin.statusCode).toBe(200);
  });
});

describe('wrong enrollment codes', () => {
  it(`are rate-limited per address: after ${MAX_WRONG_CODES} wrong ones even a good code waits`, async () => {
    const isolated = await startServer();
    try {
      const { code } = await createTestDrive(isolated.db);
      const attempt = (value: string) => isolated.app.inject({ method: 'POST', url: API.enroll, payload: { protocol: PROTOCOL_VERSION, code: value } });
      for (let i = 0; i < MAX_WRONG_CODES; i++) expect((await attempt('ZZZZ-ZZZZ')).statusCode).toBe(400);
      const locked = await attempt(code);
      expect(locked.statusCode).toBe(429);
      expect(locked.json()).toMatchObject({ error: { code: 'rate_limited' } });
      expect(await isolated.db.selectFrom('devices').select('id').execute()).toEqual([]);
    } finally {
      await isolated.stop();
    }
  });
});

describe('what organizers and leads do', () => {
  it('an organizer creates a drive with all its details; editing the text makes a new petition version and the old one still counts', async () => {
    const organizer = await accountSession(server, 'organizer');
    const created = await asSession(server.app, organizer, 'POST', LEAD_API.drives, {
      title: 'Library hours',
      goal: 2500,
      deadline: '2026-12-31',
      recipient: 'Springfield City Council',
      coverLetter: 'Dear members of the council,',
      requiredFields: ['givenName', 'familyName', 'zip'],
      passphrase: TEST_DRIVE_PASSPHRASE,
      petitions: [{ language: 'en', title: 'Library hours', text: 'Open the library on Sundays.' }],
    });
    expect(created.statusCode).toBe(201);
    const drive = created.json();
    // The recovery key is in this answer only; the passphrase in none, and neither is stored.
    expect(drive.recoveryKey).toMatch(/^([0-9A-F]{4}-){15}[0-9A-F]{4}$/);
    expect(drive.hasKey).toBe(true);
    expect(created.body).not.toContain(TEST_DRIVE_PASSPHRASE);
    expect((await asSession(server.app, organizer, 'GET', LEAD_API.drive(drive.id))).json().recoveryKey).toBeUndefined();
    const keyRow = JSON.stringify(await server.db.selectFrom('drive_keys').selectAll().where('drive_id', '=', drive.id).execute());
    expect(keyRow).not.toContain(drive.recoveryKey);
    expect(keyRow).not.toContain(drive.recoveryKey.replace(/-/g, '').toLowerCase());
    expect(drive).toMatchObject({
      title: 'Library hours',
      goal: 2500,
      deadline: '2026-12-31',
      recipient: 'Springfield City Council',
      requiredFields: ['givenName', 'familyName', 'zip'],
    });
    const firstVersion = drive.petitions[0].version;

    const edited = await asSession(server.app, organizer, 'PATCH', LEAD_API.drive(drive.id), {
      petitions: [{ language: 'en', title: 'Library hours', text: 'Open the library on Sundays and holidays.' }],
    });
    expect(edited.statusCode).toBe(200);
    const versions = await server.db
      .selectFrom('petition_versions')
      .select(['version', 'superseded_at'])
      .where('drive_id', '=', drive.id)
      .orderBy('created_at')
      .execute();
    expect(versions).toHaveLength(2);
    expect(versions.find((v) => v.version === firstVersion)!.superseded_at).not.toBeNull();
    expect(edited.json().petitions.map((p: { version: string }) => p.version)).not.toContain(firstVersion);

    // A tablet that still shows the old text delivers a signature made with it: stored, counted.
    const code = await createEnrollmentCode(server.db, { driveId: drive.id, uses: 1, expiresAt: new Date(Date.now() + 3_600_000) });
    const device = await enroll(server.app, code);
    const record = await signatureRecord(device, 1, (c) => (c.petition = { version: firstVersion, language: 'en' }));
    const sync = await postBatch(server.app, device.token, [record]);
    expect(sync.json().results).toEqual([{ id: record.id, status: 'stored' }]);
    const dashboard = await asSession(server.app, organizer, 'GET', LEAD_API.dashboard(drive.id));
    expect(dashboard.json().perVersion).toEqual([{ version: firstVersion, language: 'en', count: 1 }]);
  });

  it('a drive without a passphrase, or with a short one, is refused naming the field, and nothing is created', async () => {
    const organizer = await accountSession(server, 'organizer');
    const before = (await server.db.selectFrom('drives').select('id').execute()).length;
    for (const passphrase of [undefined, 'too short']) {
      const response = await asSession(server.app, organizer, 'POST', LEAD_API.drives, {
        title: 'No key',
        goal: 10,
        passphrase,
        petitions: [{ language: 'en', title: 'T', text: 'Text.' }],
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'invalid_field', field: 'passphrase' } });
    }
    expect((await server.db.selectFrom('drives').select('id').execute()).length).toBe(before);
    expect((await server.db.selectFrom('drive_keys').select('drive_id').execute()).length).toBe(before);
  });

  it('an organizer sets how long tablets keep confirmed signers; tablets read it with the drive; out of range is refused by field', async () => {
    const organizer = await accountSession(server, 'organizer');
    const { drive, code } = await createTestDrive(server.db, 'Retention');
    const device = await enroll(server.app, code);
    const driveOf = async () => (await server.app.inject({ method: 'GET', url: API.drive, headers: { authorization: `Bearer ${device.token}` } })).json();
    expect(device.drive.purgeAfterHours).toBeUndefined();

    expect((await asSession(server.app, organizer, 'PATCH', LEAD_API.drive(drive.id), { purgeAfterHours: 6 })).json().purgeAfterHours).toBe(6);
    expect((await driveOf()).purgeAfterHours).toBe(6);
    for (const purgeAfterHours of [-1, 1.5, 24 * 7 + 1, 'soon']) {
      const refused = await asSession(server.app, organizer, 'PATCH', LEAD_API.drive(drive.id), { purgeAfterHours });
      expect(refused.json()).toMatchObject({ error: { code: 'invalid_field', field: 'purgeAfterHours' } });
    }
    expect((await driveOf()).purgeAfterHours).toBe(6);
    expect((await asSession(server.app, organizer, 'PATCH', LEAD_API.drive(drive.id), { purgeAfterHours: null })).json().purgeAfterHours).toBeNull();
    expect((await driveOf()).purgeAfterHours).toBeUndefined();
  });

  it('bad drive details get a 400 naming the field and create nothing', async () => {
    const organizer = await accountSession(server, 'organizer');
    const before = (await server.db.selectFrom('drives').select('id').execute()).length;
    const response = await asSession(server.app, organizer, 'POST', LEAD_API.drives, { title: 'No goal', goal: -3, petitions: [] });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'invalid_field', field: 'goal' } });
    expect((await server.db.selectFrom('drives').select('id').execute()).length).toBe(before);
  });

  it('an organizer adds a lead, who gets a one-time password and sees only their drive', async () => {
    const organizer = await accountSession(server, 'organizer');
    const { drive } = await createTestDrive(server.db, 'Lead drive');
    const added = await asSession(server.app, organizer, 'POST', LEAD_API.accounts, { email: 'Rosa@Example.org', name: 'Rosa Delgado' });
    expect(added.statusCode).toBe(201);
    const { account, password } = added.json();
    expect((await asSession(server.app, organizer, 'PUT', LEAD_API.driveLead(drive.id, account.id))).statusCode).toBe(204);

    const lead = await signIn(server.app, 'rosa@example.org', password);
    const drives = await asSession(server.app, lead, 'GET', LEAD_API.drives);
    expect(drives.json().drives.map((d: { id: string }) => d.id)).toEqual([drive.id]);
    const again = await asSession(server.app, organizer, 'POST', LEAD_API.accounts, { email: 'rosa@example.org', name: 'Rosa again' });
    expect(again.statusCode).toBe(409);
  });

  it('a lead makes a limited, expiring code shown as text and a QR code, and it enrolls that many devices', async () => {
    const { drive } = await createTestDrive(server.db, 'Code drive');
    const lead = await accountSession(server, 'lead', [drive.id]);
    const response = await asSession(server.app, lead, 'POST', LEAD_API.codes(drive.id), { uses: 2, hours: 4 });
    expect(response.statusCode).toBe(201);
    const code = response.json();
    expect(code.code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(code.qrSvg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const hours = (Date.parse(code.expiresAt) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(3.9);
    expect(hours).toBeLessThanOrEqual(4);

    await enroll(server.app, code.code);
    await enroll(server.app, code.code);
    await expect(enroll(server.app, code.code)).rejects.toThrow(/400/);
  });

  it('a lead names a device and revokes it; the revoked device gets 403 on sync', async () => {
    const { drive, code } = await createTestDrive(server.db, 'Device drive');
    const lead = await accountSession(server, 'lead', [drive.id]);
    const device = await enroll(server.app, code);

    expect((await asSession(server.app, lead, 'PATCH', LEAD_API.device(drive.id, device.deviceId), { name: 'Blue tablet' })).statusCode).toBe(204);
    expect((await server.db.selectFrom('devices').select('name').where('id', '=', device.deviceId).executeTakeFirstOrThrow()).name).toBe('Blue tablet');
    expect((await asSession(server.app, lead, 'POST', LEAD_API.revokeDevice(drive.id, device.deviceId))).statusCode).toBe(204);

    const sync = await server.app.inject({
      method: 'POST',
      url: API.batches,
      headers: { authorization: `Bearer ${device.token}` },
      payload: { protocol: PROTOCOL_VERSION, records: [], totals: { capturedThrough: 0, waiting: 0, appVersion: 't' } },
    });
    expect(sync.statusCode).toBe(403);
    expect(sync.json()).toMatchObject({ error: { code: 'device_revoked' } });
  });

  it('the roster a lead sets is what devices download with their drive', async () => {
    const { drive, code } = await createTestDrive(server.db, 'Roster drive');
    const lead = await accountSession(server, 'lead', [drive.id]);
    const put = await asSession(server.app, lead, 'PUT', LEAD_API.roster(drive.id), { volunteers: ['Rosa Delgado', 'Ben Okafor', 'Rosa Delgado', ' '] });
    expect(put.statusCode).toBe(400);
    const ok = await asSession(server.app, lead, 'PUT', LEAD_API.roster(drive.id), { volunteers: ['Rosa Delgado', 'Ben Okafor', 'Rosa Delgado'] });
    expect(ok.json()).toEqual({ volunteers: ['Ben Okafor', 'Rosa Delgado'] });

    const device = await enroll(server.app, code);
    expect(device.drive.roster).toEqual(['Ben Okafor', 'Rosa Delgado']);
    const download = await server.app.inject({ method: 'GET', url: API.drive, headers: { authorization: `Bearer ${device.token}` } });
    expect(download.json().roster).toEqual(['Ben Okafor', 'Rosa Delgado']);
  });
});
