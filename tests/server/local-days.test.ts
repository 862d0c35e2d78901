// A drive's days are its organizer's days: a signature taken at 8 pm in Ohio counts on that evening's
// day in the tallies, the per-day chart and the dashboard's "today", and a change of the drive's
// time zone counts every existing signature again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardFromSignatures, dashboardOf } from '../../src/server/db/dashboard';
import { migrateToLatest } from '../../src/server/db/migrations';
import { LEAD_API, type Dashboard, type DriveDetails } from '../../src/shared/lead-api';
import { sampleDetails, sampleRecord } from '../support/records';
import {
  accountSession,
  asSession,
  clearSignatureRow,
  createTestDrive,
  databaseBefore,
  enroll,
  freshDatabase,
  postBatch,
  signatureRecord,
  startServer,
  TEST_DRIVE_PASSPHRASE,
  type Harness,
  type Session,
} from './harness';

let server: Harness;
let organizer: Session;

beforeAll(async () => {
  server = await startServer();
  organizer = await accountSession(server, 'organizer');
});
afterAll(() => server.stop());

const tallyDays = async (driveId: string) =>
  (await server.db.selectFrom('signature_tallies').select(['day', 'signatures']).where('drive_id', '=', driveId).orderBy('day').execute()).map((r) => [
    r.day,
    Number(r.signatures),
  ]);

/** A drive with a device that has sent signatures captured at these UTC instants. */
async function driveWithSignaturesAt(title: string, instants: readonly string[]) {
  const { drive, code } = await createTestDrive(server.db, title);
  const device = await enroll(server.app, code);
  const records = await Promise.all(instants.map((at, i) => signatureRecord(device, i + 1, (c) => (c.capturedAt = at))));
  expect((await postBatch(server.app, device.token, records)).statusCode).toBe(200);
  return drive;
}

describe("a drive's days", () => {
  it("count a signature taken at 8 pm in Ohio on that day, not on UTC's next one", async () => {
    // 01:00 UTC on the 27th is 8 pm on the 26th in Columbus (EST, UTC−5).
    const drive = await driveWithSignaturesAt('Evening in Ohio', ['2026-11-27T01:00:00.000Z', '2026-11-26T15:00:00.000Z']);
    const details = (await asSession(server.app, organizer, 'GET', LEAD_API.drive(drive.id))).json<DriveDetails>();
    expect(details.timeZone).toBe('America/New_York');
    expect(await tallyDays(drive.id)).toEqual([['2026-11-26', 2]]);
    const board = (await asSession(server.app, organizer, 'GET', LEAD_API.dashboard(drive.id))).json<Dashboard>();
    expect(board.perDay).toEqual([{ day: '2026-11-26', count: 2 }]);
    expect(board.drive.timeZone).toBe('America/New_York');
  });

  it("say what today is in the drive's zone", async () => {
    const { drive } = await createTestDrive(server.db, 'Today');
    // 03:00 UTC on the 27th is still the 26th in New York, already the 27th in Berlin.
    expect((await dashboardOf(server.db, drive.id, new Date('2026-11-27T03:00:00Z')))!.today).toBe('2026-11-26');
    await asSession(server.app, organizer, 'PATCH', LEAD_API.drive(drive.id), { timeZone: 'Europe/Berlin' });
    expect((await dashboardOf(server.db, drive.id, new Date('2026-11-27T03:00:00Z')))!.today).toBe('2026-11-27');
  });

  it("count each tablet's signatures of the drive's today in the day's-end table", async () => {
    const drive = await driveWithSignaturesAt('Tablet today', ['2026-11-27T01:00:00.000Z', '2026-11-26T14:00:00.000Z', '2026-11-25T14:00:00.000Z']);
    const at = new Date('2026-11-27T03:00:00Z');
    // In New York it is still the 26th: the evening signature and the afternoon one.
    expect((await dashboardOf(server.db, drive.id, at))!.devices.map((d) => d.today)).toEqual([2]);
    expect((await dashboardFromSignatures(server.db, drive.id, at))!.devices.map((d) => d.today)).toEqual([2]);
    await asSession(server.app, organizer, 'PATCH', LEAD_API.drive(drive.id), { timeZone: 'Europe/Berlin' });
    // In Berlin it is the 27th, and only the one taken at 02:00 that night falls on it.
    expect((await dashboardOf(server.db, drive.id, at))!.devices.map((d) => d.today)).toEqual([1]);
  });

  it('show days without signatures as zero in the chart', async () => {
    const drive = await driveWithSignaturesAt('Gaps', ['2026-11-20T15:00:00.000Z', '2026-11-23T15:00:00.000Z', '2026-11-23T16:00:00.000Z']);
    const board = (await asSession(server.app, organizer, 'GET', LEAD_API.dashboard(drive.id))).json<Dashboard>();
    expect(board.perDay).toEqual([
      { day: '2026-11-20', count: 1 },
      { day: '2026-11-21', count: 0 },
      { day: '2026-11-22', count: 0 },
      { day: '2026-11-23', count: 2 },
    ]);
  });

  it("are counted again, in one go, when the organizer changes the drive's time zone", async () => {
    const drive = await driveWithSignaturesAt('Moves to Tokyo', ['2026-11-27T01:00:00.000Z', '2026-11-26T13:00:00.000Z', '2026-11-26T16:00:00.000Z']);
    expect(await tallyDays(drive.id)).toEqual([['2026-11-26', 3]]);
    const edited = await asSession(server.app, organizer, 'PATCH', LEAD_API.drive(drive.id), { timeZone: 'Asia/Tokyo' });
    expect(edited.statusCode).toBe(200);
    expect(edited.json<DriveDetails>().timeZone).toBe('Asia/Tokyo');
    // Tokyo is UTC+9: 13:00Z is 22:00 on the 26th, 16:00Z and 01:00Z fall on the 27th.
    expect(await tallyDays(drive.id)).toEqual([
      ['2026-11-26', 1],
      ['2026-11-27', 2],
    ]);
    const fast = await dashboardOf(server.db, drive.id);
    expect(fast).toEqual({ ...(await dashboardFromSignatures(server.db, drive.id)), generatedAt: fast!.generatedAt });
  });

  it('refuse a time zone that does not exist, and change nothing', async () => {
    const { drive } = await createTestDrive(server.db, 'Nowhere');
    for (const timeZone of ['Mars/Olympus_Mons', '', 42]) {
      const response = await asSession(server.app, organizer, 'PATCH', LEAD_API.drive(drive.id), { timeZone, title: 'Renamed' });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'invalid_field', field: 'timeZone' } });
    }
    const created = await asSession(server.app, organizer, 'POST', LEAD_API.drives, {
      title: 'New',
      goal: 10,
      timeZone: 'Pacific/Nowhere',
      passphrase: TEST_DRIVE_PASSPHRASE,
      petitions: [{ language: 'en', title: 'T', text: 'Text.' }],
    });
    expect(created.json()).toMatchObject({ error: { code: 'invalid_field', field: 'timeZone' } });
    const row = await server.db.selectFrom('drives').select(['title', 'time_zone']).where('id', '=', drive.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ title: 'Nowhere', time_zone: 'America/New_York' });
  });

  it('a new drive takes the zone it is given', async () => {
    const created = await asSession(server.app, organizer, 'POST', LEAD_API.drives, {
      title: 'In Denver',
      goal: 10,
      timeZone: 'America/Denver',
      passphrase: TEST_DRIVE_PASSPHRASE,
      petitions: [{ language: 'en', title: 'T', text: 'Text.' }],
    });
    expect(created.statusCode).toBe(201);
    expect(created.json<DriveDetails>().timeZone).toBe('America/Denver');
  });
});

describe('the drive-time-zone migration', () => {
  it('gives existing drives New York and counts their tallies again by its days', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldpen-migrate-'));
    const fresh = await freshDatabase(dir);
    const { db } = fresh.database;
    try {
      const { db: oldDb, version } = await databaseBefore(db, '0008');
      const at = ['2026-11-27T01:00:00.000Z', '2026-11-27T02:30:00.000Z', '2026-11-27T15:00:00.000Z'];
      const records = await Promise.all(
        at.map((capturedAt, i) => sampleRecord({ deviceId: 'old-device', driveId: 'old-drive', petitionVersion: version, seq: i + 1 }, { capturedAt })),
      );
      for (const r of records) {
        const row = clearSignatureRow(r, sampleDetails(r.seq), new Date());
        await oldDb
          .insertInto('signatures')
          .values(row as never)
          .execute();
        // As 0004 to 0007 counted them: by the UTC day.
        const { drive_id, device_id, volunteer, city, state, petition_version, language } = row;
        await oldDb
          .insertInto('signature_tallies')
          .values({ drive_id, device_id, day: r.capturedAt.slice(0, 10), volunteer, city, state, petition_version, language, signatures: 1 })
          .onConflict((oc) =>
            oc
              .columns(['drive_id', 'device_id', 'day', 'volunteer', 'city', 'state', 'petition_version', 'language'])
              .doUpdateSet((eb) => ({ signatures: eb('signature_tallies.signatures', '+', 1) })),
          )
          .execute();
      }

      expect((await migrateToLatest(db))[0]).toBe('0008-drive-time-zone');
      const drive = await oldDb.selectFrom('drives').select('time_zone').where('id', '=', 'old-drive').executeTakeFirstOrThrow();
      expect(drive.time_zone).toBe('America/New_York');
      const days = await oldDb.selectFrom('signature_tallies').select(['day', 'signatures']).orderBy('day').execute();
      expect(days.map((d) => [d.day, Number(d.signatures)])).toEqual([
        ['2026-11-26', 2],
        ['2026-11-27', 1],
      ]);
    } finally {
      await fresh.database.close();
      await fresh.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
