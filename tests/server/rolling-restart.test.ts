// A rolling restart loses nothing: the real server process gets SIGTERM while batches are on the way;
// it turns new ones away (503), finishes those it is filing, ends the dashboard's live stream with a
// retry hint, and exits. Started again on the same database, the tablets resend what got no answer,
// and every record is held exactly once with every device's receipt complete.
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/server/db/connect';
import { LEAD_API } from '../../src/shared/lead-api';
import { API, PROTOCOL_VERSION, type BatchResponse, type EnrollResponse } from '../../src/shared/protocol';
import type { SignatureRecord } from '../../src/shared/schema';
import { startServer, type ServerProcess } from '../support/server-process';
import { createTestDatabase, signatureRecord, TEST_DATABASE_URL, totals } from './harness';

const DEVICES = 4;
const BATCHES_PER_DEVICE = 4;
const BATCH = 100;

const dir = mkdtempSync(join(tmpdir(), 'fieldpen-restart-'));
let dropDatabase: (() => Promise<void>) | undefined;
afterAll(async () => {
  await dropDatabase?.();
  rmSync(dir, { recursive: true, force: true });
});

type Outcome = { status: number; body?: BatchResponse } | { status: 'no answer' };

async function post(url: string, token: string, records: SignatureRecord[]): Promise<Outcome> {
  try {
    const response = await fetch(`${url}${API.batches}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ protocol: PROTOCOL_VERSION, records, totals: totals(records.at(-1)!.seq) }),
      signal: AbortSignal.timeout(20_000),
    });
    return response.ok ? { status: 200, body: (await response.json()) as BatchResponse } : { status: response.status };
  } catch {
    return { status: 'no answer' };
  }
}

/** The dashboard's live stream, read until the server ends it. */
function openStream(url: string, path: string, cookie: string): Promise<{ ended: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { headers: { cookie, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`events: ${res.statusCode}`));
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      resolve({ ended: new Promise((done) => res.on('end', () => done(text)).on('error', () => done(text))) });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('a rolling restart in the middle of batches', () => {
  it('finishes what it was filing, turns the rest away, ends live streams with a retry hint, and after the restart holds every record once', async () => {
    const env: Record<string, string> = {};
    if (TEST_DATABASE_URL) {
      const created = await createTestDatabase();
      dropDatabase = created.drop;
      env.DATABASE_URL = created.url;
    }
    let server: ServerProcess = await startServer(dir, undefined, env);
    const devices: EnrollResponse[] = [];
    for (let d = 0; d < DEVICES; d++) {
      const r = await fetch(`${server.url}${API.enroll}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ protocol: PROTOCOL_VERSION, code: server.enrollmentCode }),
      });
      expect(r.status).toBe(201);
      devices.push((await r.json()) as EnrollResponse);
    }
    const batches: { device: EnrollResponse; records: SignatureRecord[] }[] = [];
    for (const device of devices) {
      for (let b = 0; b < BATCHES_PER_DEVICE; b++) {
        const records = await Promise.all(Array.from({ length: BATCH }, (_, i) => signatureRecord(device, b * BATCH + i + 1)));
        batches.push({ device, records });
      }
    }
    const password = /one-time password:\s*(\S+)/.exec(server.output())![1]!;
    const signIn = await fetch(`${server.url}${LEAD_API.session}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'organizer@example.org', password }),
    });
    expect(signIn.status).toBe(201);
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const stream = await openStream(server.url, LEAD_API.events(devices[0]!.drive.id), cookie);

    // Every batch at once; SIGTERM as the first answer comes back.
    const sending = batches.map((b) => post(server.url, b.device.token, b.records));
    await Promise.race(sending);
    const stopped = server.stop('SIGTERM');
    const first = await Promise.all(sending);
    await stopped;

    expect(server.output()).toContain('SIGTERM: closing Fieldpen');
    expect(server.output()).not.toContain('still in flight');
    expect(first.filter((o) => o.status === 200).length).toBeGreaterThan(0);
    // Whatever was not filed was told so (503) or never reached the server: nothing timed out half-filed.
    for (const o of first) expect([200, 503, 'no answer']).toContain(o.status);
    const streamText = await stream.ended;
    expect(streamText).toMatch(/^retry: \d+$/m);

    // Started again on the same database: the tablets resend every batch without an answer.
    server = await startServer(dir, undefined, env);
    try {
      for (const [i, b] of batches.entries()) {
        if (first[i]!.status === 200) continue;
        const again = await post(server.url, b.device.token, b.records);
        expect(again.status).toBe(200);
      }
      for (const device of devices) {
        // A duplicated delivery of the last batch: the receipt says complete, nothing is stored twice.
        const last = batches.filter((b) => b.device === device).at(-1)!;
        const again = await post(server.url, device.token, last.records);
        expect(again.status).toBe(200);
        if (again.status !== 200 || !('body' in again)) continue;
        expect(again.body!.results.every((r) => r.status === 'duplicate')).toBe(true);
        expect(again.body!.receipt).toMatchObject({ received: BATCHES_PER_DEVICE * BATCH, complete: true, missingCount: 0 });
      }
    } finally {
      await server.stop();
    }

    const database = openDatabase(env.DATABASE_URL ? { url: env.DATABASE_URL } : { file: join(dir, 'fieldpen.sqlite') });
    try {
      const rows = await database.db.selectFrom('signatures').select(['id', 'device_id', 'seq']).execute();
      expect(rows).toHaveLength(DEVICES * BATCHES_PER_DEVICE * BATCH);
      expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
      const sent = new Set(batches.flatMap((b) => b.records.map((r) => r.id)));
      expect(rows.every((r) => sent.has(r.id))).toBe(true);
    } finally {
      await database.close();
    }
  }, 120_000);
});
