import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardFromSignatures, dashboardOf } from '../../src/server/db/dashboard';
import { LEAD_API, type Dashboard } from '../../src/shared/lead-api';
import { PROTOCOL_VERSION } from '../../src/shared/protocol';
import { accountSession, asSession, createTestDrive, enroll, postBatch, signatureRecord, startServer, totals, type Harness, type Session } from './harness';

let server: Harness;
let lead: Session;
let driveId: string;

beforeAll(async () => {
  server = await startServer();
  const { drive } = await createTestDrive(server.db, 'Dashboard drive');
  driveId = drive.id;
  lead = await accountSession(server, 'lead', [drive.id]);
});
afterAll(() => server.stop());

const dashboard = async (): Promise<Dashboard> => (await asSession(server.app, lead, 'GET', LEAD_API.dashboard(driveId))).json<Dashboard>();

describe("the day's-end dashboard", () => {
  it('shows each device complete, or the exact sequence numbers it has not delivered', async () => {
    const { code, drive } = await createTestDrive(server.db, 'Day end');
    const driveOfCode = drive.id;
    const ownLead = await accountSession(server, 'lead', [driveOfCode]);
    const complete = await enroll(server.app, code, 'Green tablet');
    const gappy = await enroll(server.app, code, 'Red tablet');
    await postBatch(
      server.app,
      complete.token,
      await Promise.all([1, 2, 3].map((s) => signatureRecord(complete, s))),
      totals(3, { storage: { usage: 1, quota: 2, persisted: true } }),
    );
    // Captured 6, delivered 1, 2 and 5: 3, 4 and 6 are still on the tablet.
    await postBatch(
      server.app,
      gappy.token,
      await Promise.all([1, 2, 5].map((s) => signatureRecord(gappy, s, (c) => (c.volunteer = 'Ben Okafor')))),
      totals(6, { waiting: 3, appVersion: '0.2.0' }),
    );

    const board = (await asSession(server.app, ownLead, 'GET', LEAD_API.dashboard(driveOfCode))).json<Dashboard>();
    expect(board.total).toBe(6);
    expect(board.devices).toEqual([
      expect.objectContaining({
        name: 'Green tablet',
        received: 3,
        capturedThrough: 3,
        complete: true,
        missing: [],
        volunteers: ['Rosa Delgado'],
        storagePersisted: true,
      }),
      expect.objectContaining({
        name: 'Red tablet',
        received: 3,
        capturedThrough: 6,
        waiting: 3,
        complete: false,
        missing: [3, 4, 6],
        missingCount: 3,
        appVersion: '0.2.0',
        volunteers: ['Ben Okafor'],
        storagePersisted: null,
      }),
    ]);
    expect(board.perVolunteer).toEqual([
      { volunteer: 'Ben Okafor', count: 3 },
      { volunteer: 'Rosa Delgado', count: 3 },
    ]);
  });

  it('counts a voided signature as voided, not toward the goal, while its device stays complete', async () => {
    const { code, drive } = await createTestDrive(server.db, 'Voids');
    const ownLead = await accountSession(server, 'lead', [drive.id]);
    const device = await enroll(server.app, code, 'Blue tablet');
    const records = await Promise.all([1, 2, 3].map((s) => signatureRecord(device, s)));
    await postBatch(server.app, device.token, records);
    const voidNotice = { id: records[1]!.id, seq: 2, reason: 'Signed twice', voidedAt: new Date().toISOString() };
    const voided = await server.app.inject({
      method: 'POST',
      url: '/api/v1/batches',
      headers: { authorization: `Bearer ${device.token}` },
      payload: { protocol: PROTOCOL_VERSION, records: [], voids: [voidNotice], totals: totals(3) },
    });
    expect(voided.json().voidResults).toEqual([{ id: records[1]!.id, status: 'voided' }]);
    const board = (await asSession(server.app, ownLead, 'GET', LEAD_API.dashboard(drive.id))).json<Dashboard>();
    expect(board.voided).toBe(1);
    expect(board.total).toBe(2);
    expect(board.devices).toEqual([expect.objectContaining({ name: 'Blue tablet', received: 3, complete: true })]);
  });

  it('counts per day, volunteer, city and petition version agree with counting the signatures themselves', async () => {
    const { code, drive } = await createTestDrive(server.db, 'Agreement');
    const device = await enroll(server.app, code);
    const cities = ['Springfield', 'Shelbyville', 'Capital City'];
    const records = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        signatureRecord(
          device,
          i + 1,
          (c) => {
            c.volunteer = i % 2 ? 'Ben Okafor' : 'Rosa Delgado';
            c.capturedAt = new Date(Date.UTC(2026, 10, 20 + (i % 4), 15)).toISOString();
            c.petition = { version: drive.petitions[i % 2]!.version, language: drive.petitions[i % 2]!.language };
          },
          (d) => {
            d.signer.city = cities[i % 3]!;
          },
        ),
      ),
    );
    await postBatch(server.app, device.token, records);
    // A duplicate delivery and a rejected record change no count.
    await postBatch(server.app, device.token, [records[0], { id: 'nonsense' }], totals(30));

    const fast = await dashboardOf(server.db, drive.id);
    const naive = await dashboardFromSignatures(server.db, drive.id);
    expect(fast).toEqual({ ...naive, generatedAt: fast!.generatedAt });
    expect(fast!.total).toBe(30);
    expect(fast!.rejected).toBe(1);
    expect(fast!.perDay).toEqual([20, 21, 22, 23].map((d) => ({ day: `2026-11-${d}`, count: d < 22 ? 8 : 7 })));
    expect(fast!.perCity.map((c) => c.count)).toEqual([10, 10, 10]);
  });

  it('progress starts at zero for a drive with no devices', async () => {
    const board = await dashboard();
    expect(board).toMatchObject({ total: 0, devices: [], perDay: [], drive: { id: driveId, goal: 1000 } });
  });
});

describe('live updates', () => {
  it("a signed-in lead's event stream sends the new figures when a device syncs", async () => {
    const { drive, code } = await createTestDrive(server.db, 'Live drive');
    const liveLead = await accountSession(server, 'lead', [drive.id]);
    const device = await enroll(server.app, code);
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = server.app.server.address() as AddressInfo;

    const events: Dashboard[] = [];
    let response: IncomingMessage | undefined;
    const waitFor = async (predicate: (d: Dashboard) => boolean) => {
      for (let i = 0; i < 200 && !events.some(predicate); i++) await new Promise((r) => setTimeout(r, 50));
      return events.find(predicate);
    };
    const req = httpRequest({ port, host: '127.0.0.1', path: LEAD_API.events(drive.id), headers: { cookie: liveLead.cookie } }, (res) => {
      response = res;
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (block.includes('event: dashboard') && data) events.push(JSON.parse(data) as Dashboard);
        }
      });
    });
    req.end();
    try {
      expect(await waitFor((d) => d.total === 0)).toBeDefined();
      expect(response!.headers['content-type']).toBe('text/event-stream');
      await postBatch(server.app, device.token, [await signatureRecord(device, 1), await signatureRecord(device, 2)]);
      const update = await waitFor((d) => d.total === 2);
      expect(update?.devices[0]).toMatchObject({ received: 2, complete: true });
    } finally {
      req.destroy();
    }
  });

  it('an open event stream does not keep the server from shutting down', async () => {
    const own = await startServer();
    const { drive } = await createTestDrive(own.db, 'Closing drive');
    const ownLead = await accountSession(own, 'lead', [drive.id]);
    await own.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = own.app.server.address() as AddressInfo;
    let started: () => void = () => {};
    const streaming = new Promise<void>((resolve) => (started = resolve));
    const ended = new Promise<string>((resolve, reject) => {
      httpRequest({ port, host: '127.0.0.1', path: LEAD_API.events(drive.id), headers: { cookie: ownLead.cookie } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
          if (body.includes('event: dashboard')) started();
        });
        res.on('end', () => resolve(body));
      })
        .on('error', reject)
        .end();
    });
    await streaming;
    await own.stop();
    expect(await ended).toContain('event: dashboard');
  });
});
