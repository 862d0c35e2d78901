// The audit log is evidence only if tampering shows: every entry is chained to the one before, so
// an edited, deleted or inserted entry is found by the check, on SQLite and PostgreSQL alike.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries, auditHash, checkAuditChain, recordAudit } from '../../src/server/db/audit-log';
import { AUDIT_PATH, type AuditPage } from '../../src/shared/audit';
import { LEAD_API } from '../../src/shared/lead-api';
import { sampleSigner } from '../support/records';
import {
  accountSession,
  asSession,
  createTestDrive,
  enroll,
  postBatch,
  signatureRecord,
  startServer,
  TEST_DRIVE_PASSPHRASE,
  totals,
  type Harness,
} from './harness';

let server: Harness;

beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.stop());

async function freshLog(): Promise<void> {
  await server.db.deleteFrom('audit_log').execute();
  const organizer = { id: 'acc-1', email: 'organizer@example.org' };
  await recordAudit(server.db, { action: 'sign_in', account: organizer, address: '203.0.113.5' });
  await recordAudit(server.db, { action: 'drive_unlocked', account: organizer, driveId: 'demo', address: '203.0.113.5' });
  await recordAudit(server.db, { action: 'signers_read', account: organizer, driveId: 'demo', signers: 50, address: '203.0.113.5' });
  await recordAudit(server.db, { action: 'device_revoked', account: organizer, driveId: 'demo', detail: { deviceId: 'dev-7' } });
}

describe('the audit log', () => {
  it('keeps every entry, chained, newest first, and the check reads it whole', async () => {
    await freshLog();
    const entries = await auditEntries(server.db, { limit: 10 });
    expect(entries.map((e) => [e.seq, e.action, e.actor, e.signers])).toEqual([
      [4, 'device_revoked', 'organizer@example.org', null],
      [3, 'signers_read', 'organizer@example.org', 50],
      [2, 'drive_unlocked', 'organizer@example.org', null],
      [1, 'sign_in', 'organizer@example.org', null],
    ]);
    expect(entries[0]!.detail).toEqual({ deviceId: 'dev-7' });
    expect(entries[0]!.prevHash).toBe(entries[1]!.hash);
    expect(await auditEntries(server.db, { driveId: 'demo', limit: 10 })).toHaveLength(3);
    expect(await checkAuditChain(server.db)).toEqual({ intact: true, entries: 4, head: entries[0]!.hash });
  });

  it('finds an edited entry', async () => {
    await freshLog();
    await server.db.updateTable('audit_log').set({ signers: 5 }).where('seq', '=', 3).execute();
    expect(await checkAuditChain(server.db)).toMatchObject({ intact: false, brokenAt: 3, problem: 'hash_mismatch' });
  });

  it('finds an entry rewritten with its own hash recomputed, at the entry after it', async () => {
    await freshLog();
    // An attacker who rewrites an entry and its hash still breaks the next entry's link.
    const { hash: _old, ...row } = await server.db.selectFrom('audit_log').selectAll().where('seq', '=', 3).executeTakeFirstOrThrow();
    const forged = { ...row, signers: 1 };
    await server.db
      .updateTable('audit_log')
      .set({ signers: 1, hash: await auditHash(forged) })
      .where('seq', '=', 3)
      .execute();
    expect(await checkAuditChain(server.db)).toMatchObject({ intact: false, brokenAt: 4, problem: 'chain_broken' });
  });

  it('finds a deleted entry, first or in the middle', async () => {
    await freshLog();
    await server.db.deleteFrom('audit_log').where('seq', '=', 2).execute();
    expect(await checkAuditChain(server.db)).toMatchObject({ intact: false, brokenAt: 3, problem: 'sequence_gap' });
    await freshLog();
    await server.db.deleteFrom('audit_log').where('seq', '=', 1).execute();
    expect(await checkAuditChain(server.db)).toMatchObject({ intact: false, brokenAt: 2, problem: 'sequence_gap' });
  });

  it('finds entries renumbered to hide a deletion', async () => {
    await freshLog();
    await server.db.deleteFrom('audit_log').where('seq', '=', 2).execute();
    await server.db
      .updateTable('audit_log')
      .set({ seq: sql`seq - 1` })
      .where('seq', '>', 2)
      .execute();
    expect(await checkAuditChain(server.db)).toMatchObject({ intact: false, brokenAt: 2 });
  });

  it('chains entries appended at once, with no gap and no fork', async () => {
    await server.db.deleteFrom('audit_log').execute();
    await Promise.all(Array.from({ length: 20 }, (_, i) => recordAudit(server.db, { action: 'sign_in', actor: `reader-${i}` })));
    expect(await checkAuditChain(server.db)).toMatchObject({ intact: true, entries: 20 });
  });
});

describe('GET /api/v1/audit', () => {
  it('shows organizers the newest entries and whether the chain is whole; leads and strangers get nothing', async () => {
    const organizer = await accountSession(server, 'organizer');
    const lead = await accountSession(server, 'lead');
    await freshLog();
    const answer = await asSession(server.app, organizer, 'GET', `${AUDIT_PATH}?limit=2`);
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    const page = answer.json<AuditPage>();
    expect(page.entries.map((e) => e.action)).toEqual(['device_revoked', 'signers_read']);
    expect(page.check).toMatchObject({ intact: true, entries: 4 });
    const older = (await asSession(server.app, organizer, 'GET', `${AUDIT_PATH}?before=3&driveId=demo`)).json<AuditPage>();
    expect(older.entries.map((e) => e.seq)).toEqual([2]);

    expect((await asSession(server.app, lead, 'GET', AUDIT_PATH)).statusCode).toBe(403);
    expect((await asSession(server.app, undefined, 'GET', AUDIT_PATH)).statusCode).toBe(401);
    const bad = await asSession(server.app, organizer, 'GET', `${AUDIT_PATH}?limit=5000`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'invalid_field', field: 'limit' } });
  });

  it('says where the chain breaks after the table was tampered with', async () => {
    const organizer = await accountSession(server, 'organizer');
    await freshLog();
    await server.db.deleteFrom('audit_log').where('seq', '=', 2).execute();
    const page = (await asSession(server.app, organizer, 'GET', AUDIT_PATH)).json<AuditPage>();
    expect(page.check).toMatchObject({ intact: false, brokenAt: 3, problem: 'sequence_gap' });
  });
});

describe('what the server records', () => {
  it('a sign-in, a read of signers with how many, a new account, a lead added, a revoke, a sign-out', async () => {
    await server.db.deleteFrom('audit_log').execute();
    const { drive, code } = await createTestDrive(server.db);
    const device = await enroll(server.app, code);
    const records = [await signatureRecord(device, 1), await signatureRecord(device, 2)];
    expect((await postBatch(server.app, device.token, records, totals(2))).statusCode).toBe(200);

    const organizer = await accountSession(server, 'organizer');
    expect((await asSession(server.app, organizer, 'POST', LEAD_API.signatures(drive.id), { passphrase: TEST_DRIVE_PASSPHRASE, limit: 10 })).statusCode).toBe(
      200,
    );
    const created = await asSession(server.app, organizer, 'POST', LEAD_API.accounts, { email: 'new-lead@example.org', name: 'New Lead' });
    expect(created.statusCode).toBe(201);
    const leadId = created.json<{ account: { id: string } }>().account.id;
    expect((await asSession(server.app, organizer, 'PUT', LEAD_API.driveLead(drive.id, leadId))).statusCode).toBe(204);
    expect((await asSession(server.app, organizer, 'POST', LEAD_API.revokeDevice(drive.id, device.deviceId))).statusCode).toBe(204);
    expect((await asSession(server.app, organizer, 'DELETE', LEAD_API.session)).statusCode).toBe(204);

    const entries = (await auditEntries(server.db, { limit: 20 })).reverse();
    expect(entries.map((e) => [e.action, e.driveId, e.signers])).toEqual([
      ['sign_in', null, null],
      ['drive_unlocked', drive.id, null],
      ['signers_read', drive.id, 2],
      ['account_created', null, null],
      ['lead_added', drive.id, null],
      ['device_revoked', drive.id, null],
      ['sign_out', null, null],
    ]);
    expect(new Set(entries.map((e) => e.actor)).size).toBe(1);
    expect(entries[1]!.detail).toEqual({ using: 'passphrase', purpose: 'signers' });
    expect(entries[5]!.detail).toEqual({ deviceId: device.deviceId });
    // Counts and ids only: no signer's name in the log.
    const stored = JSON.stringify(await server.db.selectFrom('audit_log').selectAll().execute());
    for (const n of [1, 2]) expect(stored).not.toContain(sampleSigner(n).familyName);
    expect(stored).not.toContain(TEST_DRIVE_PASSPHRASE);
    expect(await checkAuditChain(server.db)).toMatchObject({ intact: true, entries: 7 });
  });
});

describe('a revoked tablet', () => {
  it('is told to wipe at its next contact, once recorded in the audit log however often it calls', async () => {
    const { drive, code } = await createTestDrive(server.db, 'Wipe');
    const device = await enroll(server.app, code, 'Lost tablet');
    expect((await postBatch(server.app, device.token, [await signatureRecord(device, 1)], totals(1))).statusCode).toBe(200);
    const organizer = await accountSession(server, 'organizer');
    expect((await asSession(server.app, organizer, 'POST', LEAD_API.revokeDevice(drive.id, device.deviceId))).statusCode).toBe(204);

    for (let call = 0; call < 2; call++) {
      const answer = await postBatch(server.app, device.token, [], totals(1));
      expect(answer.statusCode).toBe(403);
      expect(answer.json()).toMatchObject({ error: { code: 'device_revoked' } });
    }

    const wiped = (await auditEntries(server.db, { limit: 50, driveId: drive.id })).filter((e) => e.action === 'device_wiped');
    expect(wiped.map((e) => [e.actor, e.driveId])).toEqual([[`device:${device.deviceId}`, drive.id]]);
    const row = await server.db.selectFrom('devices').select(['revoked_at', 'wipe_told_at']).where('id', '=', device.deviceId).executeTakeFirstOrThrow();
    expect(row.wipe_told_at).not.toBeNull();
    expect(await checkAuditChain(server.db)).toMatchObject({ intact: true });
  });
});
