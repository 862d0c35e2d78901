// Every lead and organizer route, walked without a session, with a lead of another drive, and with a
// lead where only organizers may act: nothing is read or changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEAD_API } from '../../src/shared/lead-api';
import {
  accountSession,
  asSession,
  createTestDrive,
  enroll,
  postBatch,
  signatureRecord,
  startServer,
  TEST_DRIVE_PASSPHRASE,
  type Harness,
  type Session,
} from './harness';

let server: Harness;
let driveId: string;
let deviceId: string;
let otherLead: Session;
let ownLead: Session;
let organizer: Session;

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
interface Route {
  method: Method;
  url: () => string;
  body?: unknown;
  organizerOnly?: boolean;
  /** Not tied to one drive: another drive's lead is simply a signed-in lead. */
  anyDrive?: boolean;
}

const DELIVERY_OPTIONS = { fields: { street: true, email: true }, perState: false };

const ROUTES: Route[] = [
  { method: 'GET', url: () => LEAD_API.session, anyDrive: true },
  { method: 'DELETE', url: () => LEAD_API.session, anyDrive: true },
  { method: 'POST', url: () => LEAD_API.password, body: { currentPassword: 'x', newPassword: 'yyyyyyyyyyyy' }, anyDrive: true },
  { method: 'GET', url: () => LEAD_API.drives, anyDrive: true },
  {
    method: 'POST',
    url: () => LEAD_API.drives,
    body: { title: 'T', goal: 1, petitions: [{ language: 'en', title: 'T', text: 'T' }] },
    organizerOnly: true,
    anyDrive: true,
  },
  { method: 'GET', url: () => LEAD_API.accounts, organizerOnly: true, anyDrive: true },
  { method: 'POST', url: () => LEAD_API.accounts, body: { email: 'x@example.org', name: 'X' }, organizerOnly: true, anyDrive: true },
  { method: 'GET', url: () => LEAD_API.drive(driveId) },
  { method: 'PATCH', url: () => LEAD_API.drive(driveId), body: { goal: 1 }, organizerOnly: true },
  { method: 'PUT', url: () => LEAD_API.driveLead(driveId, otherLead.accountId), organizerOnly: true },
  { method: 'DELETE', url: () => LEAD_API.driveLead(driveId, ownLead.accountId), organizerOnly: true },
  { method: 'GET', url: () => LEAD_API.codes(driveId) },
  { method: 'POST', url: () => LEAD_API.codes(driveId), body: { uses: 1 } },
  { method: 'PATCH', url: () => LEAD_API.device(driveId, deviceId), body: { name: 'Stolen' } },
  { method: 'POST', url: () => LEAD_API.revokeDevice(driveId, deviceId) },
  { method: 'GET', url: () => LEAD_API.roster(driveId) },
  { method: 'PUT', url: () => LEAD_API.roster(driveId), body: { volunteers: ['Mallory'] } },
  { method: 'GET', url: () => LEAD_API.dashboard(driveId) },
  { method: 'POST', url: () => LEAD_API.signatures(driveId), body: { passphrase: TEST_DRIVE_PASSPHRASE }, organizerOnly: true },
  { method: 'GET', url: () => LEAD_API.driveKey(driveId), organizerOnly: true },
  { method: 'POST', url: () => LEAD_API.driveKey(driveId), body: { newPassphrase: 'a new drive passphrase' }, organizerOnly: true },
  {
    method: 'POST',
    url: () => LEAD_API.drivePassphrase(driveId),
    body: { passphrase: TEST_DRIVE_PASSPHRASE, newPassphrase: 'a new drive passphrase' },
    organizerOnly: true,
  },
  { method: 'GET', url: () => LEAD_API.events(driveId) },
  { method: 'POST', url: () => LEAD_API.deliveryPreview(driveId), body: DELIVERY_OPTIONS, organizerOnly: true },
  { method: 'POST', url: () => LEAD_API.deliveries(driveId), body: DELIVERY_OPTIONS, organizerOnly: true },
  { method: 'GET', url: () => LEAD_API.deliveries(driveId), organizerOnly: true },
];

/** What an attacker could have changed or read: compared before and after the walk. */
async function snapshot() {
  const db = server.db;
  return {
    drives: await db.selectFrom('drives').selectAll().orderBy('id').execute(),
    devices: await db.selectFrom('devices').select(['id', 'name', 'revoked_at']).orderBy('id').execute(),
    codes: await db.selectFrom('enrollment_codes').select(['code', 'uses_left']).orderBy('code').execute(),
    roster: await db.selectFrom('roster').selectAll().orderBy('volunteer').execute(),
    leads: await db.selectFrom('drive_leads').selectAll().orderBy('account_id').execute(),
    accounts: await db.selectFrom('accounts').select(['id', 'email', 'password_hash']).orderBy('id').execute(),
    deliveries: await db.selectFrom('deliveries').select('id').execute(),
    releases: await db.selectFrom('signer_data_releases').select('id').execute(),
    driveKeys: await db.selectFrom('drive_keys').selectAll().orderBy('drive_id').execute(),
    signatures: await db.selectFrom('signatures').selectAll().orderBy('id').execute(),
  };
}

beforeAll(async () => {
  server = await startServer();
  const { drive, code } = await createTestDrive(server.db, 'Guarded drive');
  const other = await createTestDrive(server.db, 'Other drive');
  driveId = drive.id;
  const device = await enroll(server.app, code);
  deviceId = device.deviceId;
  await postBatch(server.app, device.token, [await signatureRecord(device, 1)]);
  ownLead = await accountSession(server, 'lead', [drive.id]);
  otherLead = await accountSession(server, 'lead', [other.drive.id]);
  organizer = await accountSession(server, 'organizer');
});
afterAll(() => server.stop());

describe('every lead and organizer route', () => {
  it('answers 401 without a session and changes nothing', async () => {
    const before = await snapshot();
    for (const route of ROUTES) {
      const response = await asSession(server.app, undefined, route.method, route.url(), route.body);
      expect(response.statusCode, `${route.method} ${route.url()}`).toBe(401);
      expect(response.json()).toMatchObject({ error: { code: 'unauthorized' } });
    }
    expect(await snapshot()).toEqual(before);
  });

  it('answers 403 to the lead of another drive (and to a lead on organizer routes) and changes nothing', async () => {
    const before = await snapshot();
    for (const route of ROUTES.filter((r) => !r.anyDrive || r.organizerOnly)) {
      const response = await asSession(server.app, otherLead, route.method, route.url(), route.body);
      expect(response.statusCode, `${route.method} ${route.url()}`).toBe(403);
      expect(response.json()).toMatchObject({ error: { code: 'forbidden' } });
      expect(response.body).not.toContain('Ada');
    }
    for (const route of ROUTES.filter((r) => r.organizerOnly)) {
      const response = await asSession(server.app, ownLead, route.method, route.url(), route.body);
      expect(response.statusCode, `${route.method} ${route.url()} as the drive's own lead`).toBe(403);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('answers a forged session cookie with 401', async () => {
    const forged: Session = { ...ownLead, cookie: 'fieldpen_session=forged-token' };
    for (const route of ROUTES) expect((await asSession(server.app, forged, route.method, route.url(), route.body)).statusCode).toBe(401);
  });

  it("lets an organizer read the signer details with the drive's passphrase, and never the drive's own lead", async () => {
    const response = await asSession(server.app, organizer, 'POST', LEAD_API.signatures(driveId), { passphrase: TEST_DRIVE_PASSPHRASE });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.json().signers).toEqual([expect.objectContaining({ givenName: 'Ada', familyName: 'Signer 1', city: 'Springfield' })]);
    const asLead = await asSession(server.app, ownLead, 'POST', LEAD_API.signatures(driveId), { passphrase: TEST_DRIVE_PASSPHRASE });
    expect(asLead.statusCode).toBe(403);
    expect(asLead.body).not.toContain('Ada');
    // The old way in, a GET, is gone.
    expect((await asSession(server.app, ownLead, 'GET', LEAD_API.signatures(driveId))).statusCode).toBe(404);
  });
});
