// The dashboard's event stream is a long-lived answer to one signed-in request: it must not outlive
// the right to see the drive. A lead who signs out, whose password is changed elsewhere, or who is
// removed from the drive loses the open stream at its next check; a lead who keeps access keeps it.
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDriveLead, createAccount } from '../../src/server/db/accounts';
import { LEAD_API } from '../../src/shared/lead-api';
import { accountSession, asSession, createTestDrive, enroll, postBatch, signatureRecord, signIn, startServer, type Harness, type Session } from './harness';

/** Each stream checks its session this often here (5 s in production). */
const CHECK_MS = 100;

let server: Harness;
let port: number;

beforeAll(async () => {
  server = await startServer({ server: { livePollMs: CHECK_MS } });
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  port = (server.app.server.address() as AddressInfo).port;
});
afterAll(() => server.stop());

interface Stream {
  /** Totals of the dashboard events received, in order. */
  totals: number[];
  /** The `event: error` payloads received. */
  errors: { error: { code: string } }[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  hasEnded(): boolean;
  close(): void;
}

function openStream(driveId: string, session: Session): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const totals: number[] = [];
    const errors: Stream['errors'] = [];
    let ended = false;
    let markEnded: () => void = () => {};
    const endedPromise = new Promise<void>((r) => (markEnded = r));
    const req = httpRequest({ port, host: '127.0.0.1', path: LEAD_API.events(driveId), headers: { cookie: session.cookie } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`events: ${res.statusCode}`));
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let at: number;
        while ((at = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (!data) continue;
          if (block.includes('event: dashboard')) {
            totals.push((JSON.parse(data) as { total: number }).total);
            if (totals.length === 1) resolve(stream);
          }
          if (block.includes('event: error')) errors.push(JSON.parse(data) as Stream['errors'][number]);
        }
      });
      res.on('end', () => {
        ended = true;
        markEnded();
      });
    });
    req.on('error', reject);
    req.end();
    const stream: Stream = { totals, errors, ended: endedPromise, hasEnded: () => ended, close: () => req.destroy() };
  });
}

/** Resolves true when the stream ends within `ms`, false otherwise. */
const endsWithin = (stream: Stream, ms: number) => Promise.race([stream.ended.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

async function leadWithPassword(driveId: string): Promise<{ email: string; password: string; accountId: string }> {
  const email = `lead-${randomBytes(4).toString('hex')}@example.org`;
  const password = 'correct horse battery staple';
  const accountId = await createAccount(server.db, { email, name: 'Stream lead', role: 'lead', password });
  await addDriveLead(server.db, driveId, accountId);
  return { email, password, accountId };
}

describe("the dashboard's live stream checks the session on every send", () => {
  it('ends when the lead signs out', async () => {
    const { drive } = await createTestDrive(server.db, 'Signed out');
    const lead = await accountSession(server, 'lead', [drive.id]);
    const stream = await openStream(drive.id, lead);
    try {
      expect((await asSession(server.app, lead, 'DELETE', LEAD_API.session)).statusCode).toBe(204);
      expect(await endsWithin(stream, 3_000)).toBe(true);
      expect(stream.errors).toEqual([{ error: expect.objectContaining({ code: 'unauthorized' }) }]);
    } finally {
      stream.close();
    }
  });

  it('ends when the password is changed from another session, and the session that changed it keeps its stream', async () => {
    const { drive } = await createTestDrive(server.db, 'Password changed');
    const who = await leadWithPassword(drive.id);
    const onTablet = await signIn(server.app, who.email, who.password);
    const atDesk = await signIn(server.app, who.email, who.password);
    const old = await openStream(drive.id, onTablet);
    const own = await openStream(drive.id, atDesk);
    try {
      const changed = await asSession(server.app, atDesk, 'POST', LEAD_API.password, {
        currentPassword: who.password,
        newPassword: 'another long passphrase 42',
      });
      expect(changed.statusCode).toBeLessThan(300);
      expect(await endsWithin(old, 3_000)).toBe(true);
      expect(old.errors).toEqual([{ error: expect.objectContaining({ code: 'unauthorized' }) }]);
      expect(own.hasEnded()).toBe(false);
      expect(own.errors).toEqual([]);
    } finally {
      old.close();
      own.close();
    }
  });

  it('ends when the lead is removed from the drive; another lead of the drive keeps getting the figures', async () => {
    const { drive, code } = await createTestDrive(server.db, 'Lead removed');
    const removed = await accountSession(server, 'lead', [drive.id]);
    const staying = await accountSession(server, 'lead', [drive.id]);
    const organizer = await accountSession(server, 'organizer');
    const gone = await openStream(drive.id, removed);
    const kept = await openStream(drive.id, staying);
    try {
      const removal = await asSession(server.app, organizer, 'DELETE', LEAD_API.driveLead(drive.id, removed.accountId));
      expect(removal.statusCode).toBeLessThan(300);
      expect(await endsWithin(gone, 3_000)).toBe(true);
      expect(gone.errors).toEqual([{ error: expect.objectContaining({ code: 'unauthorized' }) }]);
      // The figures that follow reach only the lead who still leads the drive.
      const device = await enroll(server.app, code);
      await postBatch(server.app, device.token, [await signatureRecord(device, 1)]);
      for (let i = 0; i < 60 && !kept.totals.includes(1); i++) await new Promise((r) => setTimeout(r, 50));
      expect(kept.totals).toContain(1);
      expect(gone.totals).not.toContain(1);
      expect(kept.hasEnded()).toBe(false);
    } finally {
      gone.close();
      kept.close();
    }
  });
});
