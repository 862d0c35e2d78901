import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/server/db/migrations';
import { driveKeyOf } from '../../src/server/db/drive-keys';
import { currentDemoCode, seedDemoDrive } from '../../src/server/demo';
import { unlockWithPassphrase, unlockWithRecoveryKey } from '../../src/server/drive-keys';
import { digestOf } from '../../src/shared/digest';
import { API, LANGUAGES, petitionVersionContent, type Language } from '../../src/shared/protocol';
import { createTestDrive, enroll, startServer, type Harness } from './harness';

let server: Harness;

beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.stop());

describe('the demo drive a fresh server starts with', () => {
  let code: string | undefined;

  it('is created on an empty database, with its petition in every language and a code to read out', async () => {
    const demo = await seedDemoDrive(server.db);
    code = demo?.code;

    expect(code).toMatch(/^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$/);
    const drives = await server.db.selectFrom('drives').selectAll().execute();
    expect(drives).toHaveLength(1);
    expect(drives[0]!.goal).toBe(25_000);
    const versions = await server.db.selectFrom('petition_versions').selectAll().execute();
    expect(versions.map((v) => v.language).sort()).toEqual([...LANGUAGES].sort());
    for (const v of versions)
      expect(v.version).toBe(await digestOf(petitionVersionContent({ language: v.language as Language, title: v.title, text: v.text })));
    const codeRow = await server.db.selectFrom('enrollment_codes').selectAll().where('code', '=', code!).executeTakeFirstOrThrow();
    expect(codeRow.uses_left).toBe(100);
    const days = (Date.parse(codeRow.expires_at) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89);
    expect(days).toBeLessThanOrEqual(90);
    // The drive has its key, opened by the passphrase printed once and by nothing stored.
    const key = await driveKeyOf(server.db, drives[0]!.id);
    expect(key?.publicKey).toMatch(/^[A-Za-z0-9_-]{87}$/);
    await expect(unlockWithPassphrase(key!.byPassphrase, demo!.passphrase, drives[0]!.id)).resolves.toBeDefined();
    await expect(unlockWithRecoveryKey(key!.byRecoveryKey, demo!.recoveryKey, drives[0]!.id)).resolves.toBeDefined();
    expect(JSON.stringify(await server.db.selectFrom('drive_keys').selectAll().execute())).not.toContain(demo!.passphrase);
  });

  it('its code enrolls a tablet that receives all three petition texts', async () => {
    const enrolled = await enroll(server.app, code!);
    expect(enrolled.drive.petitions.map((p) => p.language)).toEqual([...LANGUAGES]);
    const drive = await server.app.inject({ method: 'GET', url: API.drive, headers: { authorization: `Bearer ${enrolled.token}` } });
    expect(drive.json()).toEqual(enrolled.drive);
  });

  it('is not created twice; a later start prints the same code again', async () => {
    expect(await seedDemoDrive(server.db)).toBeUndefined();
    expect(await server.db.selectFrom('drives').select('id').execute()).toHaveLength(1);
    expect(await currentDemoCode(server.db)).toBe(code);
  });

  it('a later start prints no code once the demo code has expired', async () => {
    const later = new Date(Date.now() + 91 * 86_400_000);
    expect(await currentDemoCode(server.db, later)).toBeUndefined();
  });

  it('migrating an up-to-date database changes nothing', async () => {
    expect(await migrateToLatest(server.db)).toEqual([]);
  });

  it('another drive may carry the very same petition text', async () => {
    const first = await createTestDrive(server.db, 'Same text, one city');
    const second = await createTestDrive(server.db, 'Same text, one city');
    expect(second.drive.petitions.map((p) => p.version)).toEqual(first.drive.petitions.map((p) => p.version));
    expect(second.drive.id).not.toBe(first.drive.id);
  });
});
