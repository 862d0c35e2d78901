// Nobody reads a signer until an organizer unlocks the drive: Latest signers opens with the drive's
// passphrase or recovery key (POST, `no-store`), a wrong one opens nothing and changes nothing, too
// many are refused, leads never see signers; the passphrase can be changed (the old one then fails);
// a drive made before sealing gets its first passphrase and its clear rows (and kept conflicting
// deliveries) sealed. Every unlock is
// audited, and no passphrase, recovery key or private key reaches a response or a log line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_WRONG_PASSPHRASES } from '../../src/server/signer-access';
import { driveKeyOf } from '../../src/server/db/drive-keys';
import { keepConflict } from '../../src/server/db/conflicts';
import { unlockWithPassphrase, unlockWithRecoveryKey } from '../../src/server/drive-keys';
import { CSRF_HEADER, LEAD_API, type CreatedDriveDetails, type DriveKeySet, type DriveKeyStatus, type SignerRow } from '../../src/shared/lead-api';
import { API, PROTOCOL_VERSION, type EnrollResponse } from '../../src/shared/protocol';
import { exportDrivePrivateKey, openSignerDetails } from '../../src/shared/signer-seal';
import { sampleDetails, sampleSigner } from '../support/records';
import {
  accountSession,
  clearSignatureRow,
  createTestDrive,
  enroll,
  postBatch,
  signatureRecord,
  startServer,
  TEST_DRIVE_PASSPHRASE,
  totals,
  type Harness,
  type Session,
} from './harness';

const PASSPHRASE = 'river stones under the old mill';
const NEW_PASSPHRASE = 'lanterns on the harbour wall at dusk';

let server: Harness;
/** Every log line the server wrote, at trace level. */
const logLines: string[] = [];
/** Every answer the tests got: body and headers. */
const answers: string[] = [];
let organizer: Session;
let lead: Session;
let driveId: string;
let recoveryKey: string;
let device: EnrollResponse;

async function call(session: Session | undefined, method: 'GET' | 'POST', url: string, payload?: object) {
  const headers: Record<string, string> = {};
  if (session) {
    headers.cookie = session.cookie;
    if (method !== 'GET') headers[CSRF_HEADER] = session.csrf;
  }
  const answer = await server.app.inject({ method, url, headers, ...(payload !== undefined && { payload: payload as Record<string, unknown> }) });
  answers.push(answer.body, JSON.stringify(answer.headers));
  return answer;
}

const readSigners = (session: Session, body: object) => call(session, 'POST', LEAD_API.signatures(driveId), body);

async function auditOf(action: string, drive = driveId) {
  return server.db
    .selectFrom('audit_log')
    .select(['action', 'account_id', 'signers', 'detail'])
    .where('action', '=', action)
    .where('drive_id', '=', drive)
    .orderBy('seq')
    .execute();
}

beforeAll(async () => {
  server = await startServer({ server: { logger: { level: 'trace', stream: { write: (line: string) => void logLines.push(line) } } } });
  organizer = await accountSession(server, 'organizer');
  // Made as the dashboard makes it: the passphrase at creation, the recovery key in the answer once.
  const created = await call(organizer, 'POST', LEAD_API.drives, {
    title: 'Clean river',
    goal: 100,
    passphrase: PASSPHRASE,
    petitions: [{ language: 'en', title: 'Clean river', text: 'We ask the county to clean the river.' }],
  });
  expect(created.statusCode).toBe(201);
  expect(created.headers['cache-control']).toBe('no-store');
  ({ id: driveId, recoveryKey } = created.json<CreatedDriveDetails>());
  const code = await call(organizer, 'POST', LEAD_API.codes(driveId), { uses: 3 });
  device = await enroll(server.app, code.json<{ code: string }>().code, 'Tablet A');
  const records = [await signatureRecord(device, 1), await signatureRecord(device, 2), await signatureRecord(device, 3)];
  expect((await postBatch(server.app, device.token, records, totals(3))).statusCode).toBe(200);
  lead = await accountSession(server, 'lead', [driveId]);
});
afterAll(() => server.stop());

describe('Latest signers', () => {
  it("opens with the drive's passphrase: the organizer reads what the signers gave, no-store, and the unlock and the read are audited", async () => {
    const answer = await readSigners(organizer, { passphrase: PASSPHRASE, limit: 2 });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    const { signers } = answer.json<{ signers: SignerRow[] }>();
    // Newest first, opened to exactly what was sealed on the tablet.
    expect(signers.map((s) => s.seq)).toEqual([3, 2]);
    const [third] = signers;
    const given = sampleSigner(3);
    expect(third).toMatchObject({
      givenName: given.givenName,
      familyName: given.familyName,
      street: given.street,
      city: given.city,
      zip: given.zip,
      deviceName: 'Tablet A',
    });
    expect(third!.unreadable).toBeUndefined();
    expect((await auditOf('drive_unlocked')).at(-1)).toMatchObject({
      account_id: organizer.accountId,
      detail: JSON.stringify({ purpose: 'signers', using: 'passphrase' }),
    });
    expect((await auditOf('signers_read')).at(-1)).toMatchObject({ account_id: organizer.accountId, signers: 2 });
  });

  it('opens with the recovery key too, typed any way (spaces, lower case)', async () => {
    const typed = recoveryKey.replace(/-/g, ' ').toLowerCase();
    const answer = await readSigners(organizer, { recoveryKey: typed });
    expect(answer.statusCode).toBe(200);
    expect(answer.json<{ signers: SignerRow[] }>().signers).toHaveLength(3);
    expect((await auditOf('drive_unlocked')).at(-1)!.detail).toBe(JSON.stringify({ purpose: 'signers', using: 'recovery_key' }));
  });

  it('refuses a wrong passphrase with 400 wrong_passphrase naming the field, changes nothing but the audit, and shows no signer', async () => {
    const before = {
      keys: await server.db.selectFrom('drive_keys').selectAll().execute(),
      signatures: await server.db.selectFrom('signatures').selectAll().orderBy('id').execute(),
      reads: (await auditOf('signers_read')).length,
    };
    const wrong = await readSigners(organizer, { passphrase: 'not the passphrase at all' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toEqual({ error: { code: 'wrong_passphrase', field: 'passphrase', message: expect.stringContaining('does not open this drive') } });
    expect(wrong.body).not.toContain(sampleSigner(1).familyName);
    const wrongKey = await readSigners(organizer, { recoveryKey: 'ABCD-'.repeat(15) + 'ABCD' });
    expect(wrongKey.json()).toMatchObject({ error: { code: 'wrong_passphrase', field: 'recoveryKey' } });
    const empty = await readSigners(organizer, {});
    expect(empty.json()).toMatchObject({ error: { code: 'invalid_field', field: 'passphrase' } });
    const both = await readSigners(organizer, { passphrase: PASSPHRASE, recoveryKey });
    expect(both.json()).toMatchObject({ error: { code: 'invalid_field', field: 'passphrase' } });
    expect(await server.db.selectFrom('drive_keys').selectAll().execute()).toEqual(before.keys);
    expect(await server.db.selectFrom('signatures').selectAll().orderBy('id').execute()).toEqual(before.signatures);
    expect((await auditOf('signers_read')).length).toBe(before.reads);
    const failed = await auditOf('drive_unlock_failed');
    expect(failed.slice(-2).map((f) => JSON.parse(f.detail!) as unknown)).toEqual([
      { purpose: 'signers', using: 'passphrase' },
      { purpose: 'signers', using: 'recovery_key' },
    ]);
  });

  it(`refuses every try after ${MAX_WRONG_PASSPHRASES} wrong ones from one account and address with 429, the right passphrase too`, async () => {
    const guesser = await accountSession(server, 'organizer');
    for (let i = 0; i < MAX_WRONG_PASSPHRASES; i++) expect((await readSigners(guesser, { passphrase: `guess number ${i} of many` })).statusCode).toBe(400);
    const refused = await readSigners(guesser, { passphrase: PASSPHRASE });
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ error: { code: 'rate_limited', message: expect.stringMatching(/wait \d+ minutes? and try again/) } });
    expect(refused.body).not.toContain(sampleSigner(1).familyName);
    // Another organizer at the same address is not locked out by the guesser.
    expect((await readSigners(organizer, { passphrase: PASSPHRASE })).statusCode).toBe(200);
  });

  it('is refused to leads, even of the drive and with its passphrase: 403, and the old GET is gone', async () => {
    const answer = await readSigners(lead, { passphrase: PASSPHRASE });
    expect(answer.statusCode).toBe(403);
    expect(answer.json()).toMatchObject({ error: { code: 'forbidden' } });
    expect((await call(lead, 'GET', LEAD_API.signatures(driveId))).statusCode).toBe(404);
    expect((await call(lead, 'GET', LEAD_API.driveKey(driveId))).statusCode).toBe(403);
  });
});

describe("changing the drive's passphrase", () => {
  it('takes the old passphrase, after which only the new one opens; a wrong old one changes nothing', async () => {
    const before = await server.db.selectFrom('drive_keys').selectAll().where('drive_id', '=', driveId).executeTakeFirstOrThrow();
    const wrong = await call(organizer, 'POST', LEAD_API.drivePassphrase(driveId), { passphrase: 'not the passphrase at all', newPassphrase: NEW_PASSPHRASE });
    expect(wrong.json()).toMatchObject({ error: { code: 'wrong_passphrase', field: 'passphrase' } });
    const short = await call(organizer, 'POST', LEAD_API.drivePassphrase(driveId), { passphrase: PASSPHRASE, newPassphrase: 'too short' });
    expect(short.json()).toMatchObject({ error: { code: 'invalid_field', field: 'newPassphrase' } });
    expect(await server.db.selectFrom('drive_keys').selectAll().where('drive_id', '=', driveId).executeTakeFirstOrThrow()).toEqual(before);

    const changed = await call(organizer, 'POST', LEAD_API.drivePassphrase(driveId), { passphrase: PASSPHRASE, newPassphrase: NEW_PASSPHRASE });
    expect(changed.statusCode).toBe(204);
    const after = await server.db.selectFrom('drive_keys').selectAll().where('drive_id', '=', driveId).executeTakeFirstOrThrow();
    // The same key pair: tablets keep sealing to the same public key; only the passphrase wrap changed.
    expect(after.public_key).toBe(before.public_key);
    expect(after.by_recovery_key).toBe(before.by_recovery_key);
    expect(after.by_passphrase).not.toBe(before.by_passphrase);

    expect((await readSigners(organizer, { passphrase: PASSPHRASE })).json()).toMatchObject({ error: { code: 'wrong_passphrase' } });
    expect((await readSigners(organizer, { passphrase: NEW_PASSPHRASE })).statusCode).toBe(200);
    expect((await auditOf('drive_passphrase_changed')).map((e) => [e.account_id, e.detail])).toEqual([
      [organizer.accountId, JSON.stringify({ using: 'passphrase' })],
    ]);
  });

  it('takes the recovery key when the passphrase is forgotten', async () => {
    const changed = await call(organizer, 'POST', LEAD_API.drivePassphrase(driveId), { recoveryKey, newPassphrase: PASSPHRASE });
    expect(changed.statusCode).toBe(204);
    expect((await readSigners(organizer, { passphrase: NEW_PASSPHRASE })).statusCode).toBe(400);
    expect((await readSigners(organizer, { passphrase: PASSPHRASE })).statusCode).toBe(200);
    expect((await auditOf('drive_passphrase_changed')).at(-1)!.detail).toBe(JSON.stringify({ using: 'recovery_key' }));
  });
});

describe('a drive made before sealing', () => {
  it('has no key until an organizer sets its passphrase, which seals every clear row in place; tablets cannot enroll until then', async () => {
    const { drive, code } = await createTestDrive(server.db, 'Older drive');
    const tablet = await enroll(server.app, code, 'Old tablet');
    // As it was before protocol 2: no key, the signers in clear columns.
    await server.db.deleteFrom('drive_keys').where('drive_id', '=', drive.id).execute();
    const rows = [];
    for (const n of [1, 2, 3, 4]) {
      const record = await signatureRecord(tablet, n);
      const details = n === 4 ? { ...sampleDetails(n), location: { latitude: 39.96, longitude: -83, accuracy: 12 } } : sampleDetails(n);
      rows.push(clearSignatureRow(record, details, new Date()));
    }
    await server.db.insertInto('signatures').values(rows).execute();
    // A clashing delivery kept as it arrived, its signer in clear.
    const clash = {
      id: rows[0]!.id,
      deviceId: tablet.deviceId,
      seq: 1,
      driveId: drive.id,
      signer: { ...sampleSigner(1), givenName: 'Clashing' },
      autograph: sampleDetails(1).autograph,
    };
    await keepConflict(server.db, { recordId: clash.id, deviceId: tablet.deviceId, seq: 1, digest: 'e'.repeat(64), body: clash, code: 'content_differs' });

    const status = await call(organizer, 'GET', LEAD_API.driveKey(drive.id));
    expect(status.json<DriveKeyStatus>()).toEqual({ hasKey: false, updatedAt: null, clearSignatures: 4 });
    const locked = await call(organizer, 'POST', LEAD_API.signatures(drive.id), { passphrase: PASSPHRASE });
    expect(locked.statusCode).toBe(409);
    expect(locked.json()).toMatchObject({ error: { code: 'drive_key_missing' } });
    const enrolling = await server.app.inject({ method: 'POST', url: API.enroll, payload: { protocol: PROTOCOL_VERSION, code, deviceName: 'New tablet' } });
    expect(enrolling.statusCode).toBe(409);
    expect(enrolling.json()).toMatchObject({ error: { code: 'drive_key_missing' } });

    const set = await call(organizer, 'POST', LEAD_API.driveKey(drive.id), { newPassphrase: PASSPHRASE });
    expect(set.statusCode).toBe(201);
    expect(set.headers['cache-control']).toBe('no-store');
    const { recoveryKey: olderRecovery, sealedSignatures } = set.json<DriveKeySet>();
    expect(sealedSignatures).toBe(4);
    expect(olderRecovery).toMatch(/^([0-9A-F]{4}-){15}[0-9A-F]{4}$/);

    // Not one clear column left; every row sealed, and it opens to what the signer gave.
    const stored = await server.db.selectFrom('signatures').selectAll().where('drive_id', '=', drive.id).execute();
    expect(stored).toHaveLength(4);
    for (const row of stored) {
      expect([row.given_name, row.family_name, row.street, row.zip, row.email, row.autograph, row.location]).toEqual([
        null,
        null,
        null,
        null,
        null,
        null,
        null,
      ]);
      expect(row.sealed).toMatch(/^[A-Za-z0-9_-]{110,}$/);
    }
    const conflict = await server.db.selectFrom('conflicts').select('body').where('record_id', '=', clash.id).executeTakeFirstOrThrow();
    expect(conflict.body).not.toContain('Clashing');
    expect(conflict.body).not.toContain(sampleSigner(1).street);
    const sealedClash = JSON.parse(conflict.body) as { sealed: string; place: { city: string } };
    expect(sealedClash.place.city).toBe(sampleSigner(1).city);
    const newKey = await unlockWithRecoveryKey((await driveKeyOf(server.db, drive.id))!.byRecoveryKey, olderRecovery, drive.id);
    expect((await openSignerDetails(newKey, sealedClash.sealed, { driveId: drive.id, recordId: clash.id })).signer.givenName).toBe('Clashing');
    const opened = await call(organizer, 'POST', LEAD_API.signatures(drive.id), { recoveryKey: olderRecovery });
    expect(opened.statusCode).toBe(200);
    const signers = opened.json<{ signers: SignerRow[] }>().signers;
    expect(signers.map((s) => [s.seq, s.givenName, s.familyName, s.street, s.zip, s.email])).toEqual(
      [4, 3, 2, 1].map((n) => [
        n,
        sampleSigner(n).givenName,
        sampleSigner(n).familyName,
        sampleSigner(n).street,
        sampleSigner(n).zip,
        sampleSigner(n).email ?? null,
      ]),
    );
    expect((await call(organizer, 'GET', LEAD_API.driveKey(drive.id))).json<DriveKeyStatus>()).toMatchObject({ hasKey: true, clearSignatures: 0 });
    // Tablets enroll now; a second "first" passphrase is refused.
    expect(
      (await server.app.inject({ method: 'POST', url: API.enroll, payload: { protocol: PROTOCOL_VERSION, code, deviceName: 'New tablet' } })).statusCode,
    ).toBe(201);
    const again = await call(organizer, 'POST', LEAD_API.driveKey(drive.id), { newPassphrase: NEW_PASSPHRASE });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: { field: 'newPassphrase' } });
    expect((await auditOf('drive_passphrase_set', drive.id)).map((e) => [e.account_id, e.signers])).toEqual([[organizer.accountId, 4]]);
  });
});

describe('the secrets', () => {
  it('no passphrase, recovery key or private key is in any answer or log line', async () => {
    // A delivery preview too: the key travels to its worker thread with the job.
    const preview = await call(organizer, 'POST', LEAD_API.deliveryPreview(driveId), {
      fields: { street: false, email: false },
      perState: false,
      passphrase: PASSPHRASE,
    });
    expect(preview.statusCode).toBe(200);
    expect(preview.json<{ signatures: number }>().signatures).toBe(3);
    const stored = (await driveKeyOf(server.db, driveId))!;
    const raw = Buffer.from(await exportDrivePrivateKey(await unlockWithPassphrase(stored.byPassphrase, PASSPHRASE, driveId)));
    const secrets = [
      PASSPHRASE,
      NEW_PASSPHRASE,
      TEST_DRIVE_PASSPHRASE,
      recoveryKey,
      recoveryKey.replace(/-/g, ''),
      recoveryKey.replace(/-/g, '').toLowerCase(),
      raw.toString('base64url'),
      raw.toString('base64'),
      raw.toString('hex'),
    ];
    const log = logLines.join('');
    // The log did record the requests: an empty log would prove nothing.
    expect(log).toContain(LEAD_API.signatures(driveId));
    const everything = answers.join('\n');
    for (const secret of secrets) {
      expect(log.includes(secret), 'a secret in the log').toBe(false);
      // The recovery key travels once, in the drive's creation answer; nothing else carries it.
      expect(answers.filter((a) => a.includes(secret)).length, 'a secret in an answer').toBe(secret === recoveryKey ? 1 : 0);
    }
    expect(everything).not.toContain(raw.toString('base64url'));
  });
});
