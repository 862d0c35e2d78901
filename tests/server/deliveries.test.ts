// The Deliver API on a real database: an organizer previews (every exclusion listed), builds in a
// worker and downloads exactly the bytes the list's SHA-256 names; a lead is refused; bad options are
// refused by field and store nothing; one build at a time per drive; a build whose worker is stopped
// halfway leaves no listed delivery and no file. Building and downloading are recorded as signer data
// handed over. A preview and a build open the records with the drive's passphrase: a wrong one opens
// nothing and starts nothing, and the passphrase is never kept with the options.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryOptions, DeliveryPreview } from '../../src/shared/delivery';
import { LEAD_API, type DeliveryStarted, type DeliverySummary } from '../../src/shared/lead-api';
import type { EnrollResponse } from '../../src/shared/protocol';
import { seedDeliveryDrive, type SeededDrive } from '../support/synced-drive';
import { accountSession, asSession, createTestDrive, enroll, startServer, TEST_DRIVE_PASSPHRASE, type Harness, type Session } from './harness';
import { API } from '../../src/shared/protocol';

const SIGNERS = 60;
const OPTIONS: DeliveryOptions = { fields: { street: false, email: false }, perState: false };
/** What the organizer types beside the options: the drive's passphrase. */
const UNLOCK = { passphrase: TEST_DRIVE_PASSPHRASE };

let server: Harness;
let driveId: string;
let otherDriveId: string;
let organizer: Session;
let lead: Session;
let seeded: SeededDrive;

const deliveriesDir = () => join(server.dir, 'deliveries');

async function waitForEnd(id: string, drive = driveId): Promise<DeliverySummary> {
  await server.app.deliveryJobs!.settled(id);
  const answer = await asSession(server.app, organizer, 'GET', LEAD_API.delivery(drive, id));
  expect(answer.statusCode).toBe(200);
  return answer.json<DeliverySummary>();
}

async function startBuild(options: object = OPTIONS, drive = driveId) {
  return asSession(server.app, organizer, 'POST', LEAD_API.deliveries(drive), { ...options, ...UNLOCK });
}

beforeAll(async () => {
  server = await startServer();
  const { drive, code } = await createTestDrive(server.db, 'Deliverable drive');
  const other = await createTestDrive(server.db, 'Other drive');
  driveId = drive.id;
  otherDriveId = other.drive.id;
  const a: EnrollResponse = await enroll(server.app, code, 'Tablet A');
  const b: EnrollResponse = await enroll(server.app, code, 'Tablet B');
  const post = async (token: string, body: unknown) => {
    const r = await server.app.inject({
      method: 'POST',
      url: API.batches,
      headers: { authorization: `Bearer ${token}` },
      payload: body as Record<string, unknown>,
    });
    return { status: r.statusCode, body: r.body };
  };
  seeded = await seedDeliveryDrive(post, a, b, SIGNERS);
  organizer = await accountSession(server, 'organizer');
  lead = await accountSession(server, 'lead', [drive.id]);
}, 60_000);
afterAll(() => server.stop());

describe('delivering a drive', () => {
  it('previews the counts and lists every exclusion, the repeat with the signature it repeats', async () => {
    const answer = await asSession(server.app, organizer, 'POST', LEAD_API.deliveryPreview(driveId), { ...OPTIONS, ...UNLOCK });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    const preview = answer.json<DeliveryPreview>();
    expect(preview.signatures).toBe(SIGNERS);
    expect(preview.excluded.voided.map((x) => x.id)).toEqual([seeded.voidedId]);
    expect(preview.excluded.repeat).toEqual([expect.objectContaining({ id: seeded.repeat.later, repeatOf: seeded.repeat.first })]);
  });

  it('builds in a worker; the list shows each package with the SHA-256 and size of the bytes downloaded', async () => {
    const started = await startBuild();
    expect(started.statusCode).toBe(202);
    const { id } = started.json<DeliveryStarted>();
    const done = await waitForEnd(id);
    expect(done.state).toBe('done');
    expect(done.signatures).toBe(SIGNERS);
    expect(done.counts?.excluded).toMatchObject({ voided: 1, repeat: 1 });
    expect(done.progress.signaturesDone).toBe(done.progress.signaturesTotal);
    expect(done.packages.length).toBe(1);

    const list = (await asSession(server.app, organizer, 'GET', LEAD_API.deliveries(driveId))).json<{ deliveries: DeliverySummary[] }>().deliveries;
    const listed = list.find((d) => d.id === id)!;
    expect(listed).toMatchObject({ state: 'done', builtBy: { id: organizer.accountId }, options: OPTIONS });
    for (const pkg of listed.packages) {
      // At rest the package is sealed to the drive key: no clear file, no ZIP bytes, no signer on disk.
      const folder = join(deliveriesDir(), id);
      expect(existsSync(join(folder, pkg.file))).toBe(false);
      const atRest = readFileSync(join(folder, `${pkg.file}.sealed`));
      expect(atRest.includes(Buffer.from('PK\u0003\u0004', 'latin1'))).toBe(false);
      expect(atRest.includes(Buffer.from(seeded.repeat.name, 'utf8'))).toBe(false);
      // A download without the passphrase, or with a wrong one, gets nothing.
      expect((await asSession(server.app, organizer, 'POST', LEAD_API.deliveryPackage(driveId, id, pkg.file), {})).statusCode).toBe(400);
      const wrong = await asSession(server.app, organizer, 'POST', LEAD_API.deliveryPackage(driveId, id, pkg.file), {
        passphrase: 'not the passphrase at all',
      });
      expect(wrong.json()).toMatchObject({ error: { code: 'wrong_passphrase', field: 'passphrase' } });
      const download = await asSession(server.app, organizer, 'POST', LEAD_API.deliveryPackage(driveId, id, pkg.file), UNLOCK);
      expect(download.statusCode).toBe(200);
      expect(download.headers['cache-control']).toBe('no-store');
      expect(download.headers['content-type']).toBe('application/zip');
      expect(download.headers['content-disposition']).toBe(`attachment; filename="${pkg.file}"`);
      const bytes = download.rawPayload;
      expect(bytes.length).toBe(pkg.bytes);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(pkg.sha256);
      expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
    }
    const report = await asSession(server.app, organizer, 'POST', LEAD_API.deliveryReport(driveId, id), UNLOCK);
    expect(report.statusCode).toBe(200);
    expect(report.headers['cache-control']).toBe('no-store');
    expect(report.body).toContain(seeded.repeat.later);

    // Signer data in someone's hands: the build and both downloads, by whom and how many signers.
    const releases = await server.db.selectFrom('signer_data_releases').selectAll().where('delivery_id', '=', id).orderBy('at').orderBy('id').execute();
    expect(releases.map((r) => [r.action, r.account_id, r.drive_id, r.signers])).toEqual([
      ['delivery_built', organizer.accountId, driveId, SIGNERS],
      ['package_downloaded', organizer.accountId, driveId, SIGNERS],
      ['report_downloaded', organizer.accountId, driveId, 2],
    ]);
    expect(releases.every((r) => r.address === '127.0.0.1')).toBe(true);
    // … and the same three in the hash-chained audit log.
    const audited = await server.db
      .selectFrom('audit_log')
      .select(['action', 'account_id', 'drive_id', 'signers', 'detail'])
      .where('action', 'like', 'delivery_%')
      .orderBy('seq')
      .execute();
    const ofThis = audited.filter((a) => JSON.parse(a.detail ?? '{}').deliveryId === id);
    expect(ofThis.map((a) => [a.action, a.account_id, a.drive_id, a.signers])).toEqual([
      ['delivery_built', organizer.accountId, driveId, SIGNERS],
      ['delivery_downloaded', organizer.accountId, driveId, SIGNERS],
      ['delivery_downloaded', organizer.accountId, driveId, 2],
    ]);
  });

  it('serves a package only under its own drive, and only a file the build listed', async () => {
    const [delivery] = (await asSession(server.app, organizer, 'GET', LEAD_API.deliveries(driveId))).json<{ deliveries: DeliverySummary[] }>().deliveries;
    const file = delivery!.packages[0]!.file;
    expect((await asSession(server.app, organizer, 'POST', LEAD_API.deliveryPackage(otherDriveId, delivery!.id, file), UNLOCK)).statusCode).toBe(404);
    expect(
      (await asSession(server.app, organizer, 'POST', LEAD_API.deliveryPackage(driveId, delivery!.id, '..%2F..%2Ffieldpen.sqlite'), UNLOCK)).statusCode,
    ).toBe(404);
    expect((await asSession(server.app, organizer, 'POST', LEAD_API.deliveryPackage(driveId, delivery!.id, delivery!.reportFile!), UNLOCK)).statusCode).toBe(
      404,
    );
    // The same request for a listed file is answered: the 404s above are about the file, not the route.
    expect((await asSession(server.app, organizer, 'POST', LEAD_API.deliveryPackage(driveId, delivery!.id, file), UNLOCK)).statusCode).toBe(200);
  });

  it('per-state options make one package per state', async () => {
    const { id } = (await startBuild({ ...OPTIONS, perState: true, states: ['OH', 'TX'] })).json<DeliveryStarted>();
    const done = await waitForEnd(id);
    expect(done.state).toBe('done');
    expect(done.packages.map((p) => p.state)).toEqual(['OH', 'TX']);
    expect(done.packages.reduce((n, p) => n + p.signatures, 0)).toBe(done.signatures);
  });

  it('refuses a lead (403 forbidden) on every delivery route, and reads or stores nothing', async () => {
    const [delivery] = (await asSession(server.app, organizer, 'GET', LEAD_API.deliveries(driveId))).json<{ deliveries: DeliverySummary[] }>().deliveries;
    const before = await server.db.selectFrom('deliveries').select('id').execute();
    const calls: ['GET' | 'POST', string, unknown?][] = [
      ['POST', LEAD_API.deliveryPreview(driveId), OPTIONS],
      ['POST', LEAD_API.deliveries(driveId), OPTIONS],
      ['GET', LEAD_API.deliveries(driveId)],
      ['GET', LEAD_API.delivery(driveId, delivery!.id)],
      ['POST', LEAD_API.deliveryPackage(driveId, delivery!.id, delivery!.packages[0]!.file), UNLOCK],
      ['POST', LEAD_API.deliveryReport(driveId, delivery!.id), UNLOCK],
    ];
    for (const [method, url, body] of calls) {
      const answer = await asSession(server.app, lead, method, url, body);
      expect(answer.statusCode, url).toBe(403);
      expect(answer.json()).toMatchObject({ error: { code: 'forbidden' } });
      expect((await asSession(server.app, undefined, method, url, body)).statusCode, url).toBe(401);
    }
    expect(await server.db.selectFrom('deliveries').select('id').execute()).toEqual(before);
  });

  it('refuses bad options with the field at fault, and stores nothing', async () => {
    const before = (await server.db.selectFrom('deliveries').select('id').execute()).length;
    const cases: [object, string][] = [
      [{ ...OPTIONS, fields: { street: 'yes', email: false } }, 'fields.street'],
      [{ ...OPTIONS, from: '27/11/2026' }, 'from'],
      [{ ...OPTIONS, states: ['ZZ'] }, 'states.0'],
      [{ ...OPTIONS, repeatOverrides: { [seeded.repeat.later]: 'maybe' } }, `repeatOverrides.${seeded.repeat.later}`],
    ];
    for (const [body, field] of cases) {
      for (const url of [LEAD_API.deliveries(driveId), LEAD_API.deliveryPreview(driveId)]) {
        const answer = await asSession(server.app, organizer, 'POST', url, { ...body, ...UNLOCK });
        expect(answer.statusCode, field).toBe(400);
        expect(answer.json()).toMatchObject({ error: { code: 'invalid_field', field } });
      }
    }
    expect((await server.db.selectFrom('deliveries').select('id').execute()).length).toBe(before);
    expect((await asSession(server.app, organizer, 'POST', LEAD_API.deliveries('no-such-drive'), { ...OPTIONS, ...UNLOCK })).statusCode).toBe(404);
  });

  it('opens nothing without the right passphrase: 400 naming the field, no delivery started, the failed unlock audited', async () => {
    const before = (await server.db.selectFrom('deliveries').select('id').execute()).length;
    const failedBefore = (await server.db.selectFrom('audit_log').select('seq').where('action', '=', 'drive_unlock_failed').execute()).length;
    for (const url of [LEAD_API.deliveries(driveId), LEAD_API.deliveryPreview(driveId)]) {
      const missing = await asSession(server.app, organizer, 'POST', url, OPTIONS);
      expect(missing.statusCode).toBe(400);
      expect(missing.json()).toMatchObject({ error: { code: 'invalid_field', field: 'passphrase' } });
      const wrong = await asSession(server.app, organizer, 'POST', url, { ...OPTIONS, passphrase: 'not the drive passphrase' });
      expect(wrong.statusCode).toBe(400);
      expect(wrong.json()).toMatchObject({ error: { code: 'wrong_passphrase', field: 'passphrase' } });
      expect(wrong.body).not.toContain('not the drive passphrase');
    }
    expect((await server.db.selectFrom('deliveries').select('id').execute()).length).toBe(before);
    const failed = await server.db.selectFrom('audit_log').select(['action', 'drive_id', 'account_id']).where('action', '=', 'drive_unlock_failed').execute();
    expect(failed.length - failedBefore).toBe(2);
    expect(failed.at(-1)).toEqual({ action: 'drive_unlock_failed', drive_id: driveId, account_id: organizer.accountId });
  });

  it('keeps the passphrase out of the stored options, and audits the unlock of every preview and build', async () => {
    const stored = await server.db.selectFrom('deliveries').select('options').execute();
    expect(stored.length).toBeGreaterThan(0);
    for (const row of stored) {
      expect(row.options).not.toContain(TEST_DRIVE_PASSPHRASE);
      expect(Object.keys(JSON.parse(row.options) as object)).not.toContain('passphrase');
    }
    const unlocks = await server.db.selectFrom('audit_log').select('detail').where('action', '=', 'drive_unlocked').where('drive_id', '=', driveId).execute();
    const purposes = unlocks.map((u) => (JSON.parse(u.detail ?? '{}') as { purpose?: string }).purpose);
    expect(purposes).toContain('delivery_preview');
    expect(purposes).toContain('delivery_build');
    // The preview named the voided signer and the repeat: a read of signers, counted.
    const reads = await server.db
      .selectFrom('audit_log')
      .select(['signers', 'detail'])
      .where('action', '=', 'signers_read')
      .where('drive_id', '=', driveId)
      .execute();
    expect(reads[0]).toEqual({ signers: 2, detail: JSON.stringify({ preview: true }) });
  });

  it('builds one delivery of a drive at a time: a second request answers 409 delivery_running', async () => {
    const first = await startBuild();
    expect(first.statusCode).toBe(202);
    const second = await startBuild();
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ error: { code: 'delivery_running' } });
    // Another drive is not held up.
    const other = await startBuild(OPTIONS, otherDriveId);
    expect(other.statusCode).toBe(202);
    expect((await waitForEnd(first.json<DeliveryStarted>().id)).state).toBe('done');
    await waitForEnd(other.json<DeliveryStarted>().id, otherDriveId);
  });

  it('a build that cannot go ahead fails saying why, and leaves no file', async () => {
    const { id } = (await startBuild({ ...OPTIONS, states: ['WY'] })).json<DeliveryStarted>();
    const ended = await waitForEnd(id);
    expect(ended.state).toBe('failed');
    expect(ended.error).toBe('No signature matches these choices: nothing to deliver.');
    expect(readdirSync(deliveriesDir()).filter((name) => name.includes(id))).toEqual([]);
  });

  it('a build whose worker is stopped halfway leaves no listed delivery and no file', async () => {
    const { id } = (await startBuild({ ...OPTIONS, fields: { street: true, email: true } })).json<DeliveryStarted>();
    const worker = server.app.deliveryJobs!.workerOf(id)!;
    // Stopped at its first page: files half-written in its temp folder.
    await new Promise<void>((resolve) => {
      worker.on('message', (m: { type: string; progress?: { pagesDone: number } }) => {
        if (m.type === 'progress' && m.progress!.pagesDone > 0) void worker.terminate().then(() => resolve());
      });
      worker.on('exit', () => resolve());
    });
    const ended = await waitForEnd(id);
    expect(ended.state).toBe('failed');
    expect(ended.error).toMatch(/stopped before it finished/);
    expect(ended.packages).toEqual([]);
    expect(readdirSync(deliveriesDir()).filter((name) => name.includes(id))).toEqual([]);
    expect(existsSync(join(deliveriesDir(), id))).toBe(false);
    expect((await asSession(server.app, organizer, 'POST', LEAD_API.deliveryReport(driveId, id), UNLOCK)).statusCode).toBe(409);
    const releases = await server.db.selectFrom('signer_data_releases').select('id').where('delivery_id', '=', id).execute();
    expect(releases).toEqual([]);
    // The drive's slot is free again (the server's close stops this build).
    expect((await startBuild()).statusCode).toBe(202);
  });
});
