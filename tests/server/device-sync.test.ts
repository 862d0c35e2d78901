// The device's sync engine (its database in fake-indexeddb) against the real server on a real SQLite
// file, through a fetch that can lose, repeat or refuse requests the way real networks do.
import 'fake-indexeddb/auto';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withDigest } from '../../src/shared/record';
import type { BatchRequest, EnrollResponse } from '../../src/shared/protocol';
import { DeviceDB } from '../../src/storage/device-db';
import { voidSignature } from '../../src/storage/volunteer-day';
import { loadReceipt } from '../../src/storage/settings';
import { BATCHES_IN_FLIGHT, SyncFailure, syncOnce, type SyncReport } from '../../src/sync/sync-engine';
import { countRows, type Harness } from './harness';
import { captureOn, setUpTablet, tearDownTablet } from './tablet';

const capture = (count: number) => captureOn(device, count);

type Fault = 'lose-answer' | 'lose-request' | 'deliver-twice' | 'server-error' | ((records: number) => number | undefined);

/** fetch over app.inject; each call takes the next fault from the list (none when empty). */
function network(app: FastifyInstance, faults: Fault[] = []) {
  const sent: number[] = [];
  const send = (async (url: string, init: RequestInit): Promise<Response> => {
    const fault = faults.shift();
    const records = (JSON.parse(String(init.body)) as { records: unknown[] }).records.length;
    if (fault === 'lose-request') throw new TypeError('Failed to fetch');
    if (fault === 'server-error') return new Response('{"error":{"code":"internal","message":"down"}}', { status: 500 });
    if (typeof fault === 'function') {
      const status = fault(records);
      if (status) return new Response('{"error":{"code":"body_too_large","message":"too big"}}', { status });
    }
    const deliver = () => app.inject({ method: 'POST', url, headers: init.headers as Record<string, string>, payload: String(init.body) });
    let res = await deliver();
    sent.push(records);
    if (fault === 'deliver-twice') res = await deliver();
    if (fault === 'lose-answer') throw new TypeError('Failed to fetch');
    return new Response(res.body, { status: res.statusCode, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof globalThis.fetch;
  return { fetch: send, sent };
}

let server: Harness;
let device: EnrollResponse;
let db: DeviceDB;

beforeEach(async () => {
  ({ server, device, db } = await setUpTablet('Tablet 7'));
});
afterEach(() => tearDownTablet({ server, device, db }));

const states = async () => (await db.signatures.orderBy('seq').toArray()).map((r) => r.state);
const sync = (net: ReturnType<typeof network>) => syncOnce({ appVersion: '0.1.0-test', fetch: net.fetch }) as Promise<SyncReport>;

describe('syncing a device', () => {
  it('delivers 1,200 waiting signatures once each, in batches of at most 500', async () => {
    await capture(1200);
    const net = network(server.app);
    const report = await sync(net);
    expect(net.sent).toEqual([500, 500, 200]);
    expect(report).toMatchObject({ sent: 1200, confirmed: 1200, rejected: 0, receipt: { received: 1200, capturedThrough: 1200 } });
    expect(await countRows(server.db, 'signatures', device.deviceId)).toBe(1200);
    expect(new Set(await states())).toEqual(new Set(['confirmed']));
  }, 60_000);

  it('applies answers in the order the batches went, whatever order they come back in', async () => {
    await capture(1200);
    const net = network(server.app);
    let onTheWay = 0;
    let mostAtOnce = 0;
    let secondAnswered: () => void = () => {};
    const second = new Promise<void>((resolve) => (secondAnswered = resolve));
    let calls = 0;
    const reordering = (async (url: string, init: RequestInit) => {
      const n = ++calls;
      onTheWay++;
      mostAtOnce = Math.max(mostAtOnce, onTheWay);
      try {
        const answer = await net.fetch(url, init);
        // The first answer comes back only after the second one (and a little later still).
        if (n === 1) await second.then(() => new Promise((r) => setTimeout(r, 20)));
        if (n === 2) secondAnswered();
        return answer;
      } finally {
        onTheWay--;
      }
    }) as typeof fetch;
    const report = await syncOnce({ appVersion: '0.1.0-test', fetch: reordering });
    if (report === 'busy') throw new Error('another sync held the lock');
    expect(mostAtOnce).toBeGreaterThan(1);
    expect(mostAtOnce).toBeLessThanOrEqual(BATCHES_IN_FLIGHT);
    expect(report).toMatchObject({ sent: 1200, confirmed: 1200, receipt: { received: 1200, capturedThrough: 1200, complete: true } });
    // Each answer is applied when it is the oldest on the way: a row of a later batch was never
    // confirmed before a row of an earlier one.
    const rows = await db.signatures.orderBy('seq').toArray();
    const confirmedAt = rows.map((r) => r.confirmedAt!);
    expect(confirmedAt.every(Boolean)).toBe(true);
    expect(confirmedAt).toEqual([...confirmedAt].sort());
    expect(await loadReceipt()).toMatchObject({ received: 1200, complete: true });
    expect(await countRows(server.db, 'signatures', device.deviceId)).toBe(1200);
  }, 60_000);

  it('takes in what changes while its batches travel: a void behind them, new captures after them', async () => {
    const first = await capture(1200);
    const net = network(server.app);
    const bodies: BatchRequest[] = [];
    let changedInFlight = false;
    const during = (async (url: string, init: RequestInit) => {
      bodies.push(JSON.parse(String(init.body)) as BatchRequest);
      if (!changedInFlight) {
        // While the first batch is on its way: strike one of its signatures, and take three more.
        changedInFlight = true;
        await voidSignature(first[10]!.id, 'Signed twice');
        await capture(3);
      }
      return net.fetch(url, init);
    }) as typeof fetch;
    const report = await syncOnce({ appVersion: '0.1.0-test', fetch: during });
    if (report === 'busy') throw new Error('another sync held the lock');
    // Batches overlap in flight, so which batch carries the three new captures and the void depends on
    // timing. What must hold: every record travels once, the void after its record, no batch over 500.
    const recordSeqs = bodies.flatMap((b) => b.records.map((r) => r.seq));
    expect([...recordSeqs].sort((a, b) => a - b)).toEqual(Array.from({ length: 1203 }, (_, i) => i + 1));
    const voidIn = bodies.findIndex((b) => (b.voids ?? []).length > 0);
    expect(bodies.flatMap((b) => (b.voids ?? []).map((v) => v.seq))).toEqual([first[10]!.seq]);
    expect(voidIn).toBeGreaterThan(bodies.findIndex((b) => b.records.some((r) => r.seq === first[10]!.seq)));
    expect(Math.max(...bodies.map((b) => b.records.length + (b.voids?.length ?? 0)))).toBeLessThanOrEqual(500);
    // Totals never go back, and the last batch reports the tablet as it ended: nothing waiting.
    const through = bodies.map((b) => b.totals.capturedThrough);
    expect(through).toEqual([...through].sort((a, b) => a - b));
    expect(bodies.at(-1)!.totals).toMatchObject({ capturedThrough: 1203, waiting: 0 });
    const filed = await server.db.selectFrom('devices').select(['captured_through', 'waiting']).where('id', '=', device.deviceId).executeTakeFirstOrThrow();
    expect(filed).toEqual({ captured_through: 1203, waiting: 0 });
    expect(report).toMatchObject({ confirmed: 1203, voided: 1, receipt: { received: 1203, capturedThrough: 1203, complete: true, voided: 1 } });
    expect(await countRows(server.db, 'signatures', device.deviceId)).toBe(1203);
    const struck = await server.db.selectFrom('signatures').select(['seq', 'void_reason']).where('voided_at', 'is not', null).execute();
    expect(struck).toEqual([{ seq: first[10]!.seq, void_reason: 'Signed twice' }]);
    const rows = await db.signatures.toArray();
    expect(rows.filter((r) => r.state === 'confirmed')).toHaveLength(1202);
    expect(rows.find((r) => r.state === 'voided')).toMatchObject({ seq: first[10]!.seq, confirmedAt: expect.any(String), voidConfirmedAt: expect.any(String) });
  }, 60_000);

  it('sends a sync that fits one batch in one request', async () => {
    await capture(5);
    const net = network(server.app);
    const report = await sync(net);
    expect(net.sent).toEqual([5]);
    expect(report).toMatchObject({ sent: 5, confirmed: 5, receipt: { received: 5, complete: true } });
  });

  it('reports its totals even with nothing to send', async () => {
    const net = network(server.app);
    await sync(net);
    expect(net.sent).toEqual([0]);
    const row = await server.db.selectFrom('devices').selectAll().where('id', '=', device.deviceId).executeTakeFirstOrThrow();
    expect(row.last_sync_at).toBeTruthy();
    expect(row.app_version).toBe('0.1.0-test');
  });

  it('keeps records waiting when the answer is lost, and the resend is stored only once', async () => {
    await capture(5);
    const net = network(server.app, ['lose-answer']);
    await expect(sync(net)).rejects.toBeInstanceOf(SyncFailure);
    expect(await countRows(server.db, 'signatures', device.deviceId)).toBe(5); // the server got them…
    expect(await states()).toEqual(Array(5).fill('pending')); // …but the device was never told
    const report = await sync(net);
    expect(report.confirmed).toBe(5);
    expect(await countRows(server.db, 'signatures', device.deviceId)).toBe(5);
    expect(await states()).toEqual(Array(5).fill('confirmed'));
  });

  it('stores a request the network delivered twice only once', async () => {
    await capture(4);
    await sync(network(server.app, ['deliver-twice']));
    expect(await countRows(server.db, 'signatures', device.deviceId)).toBe(4);
    expect(await countRows(server.db, 'conflicts', device.deviceId)).toBe(0);
    expect(await states()).toEqual(Array(4).fill('confirmed'));
  });

  it('keeps everything waiting through a lost request or a server error, and delivers later', async () => {
    await capture(3);
    const net = network(server.app, ['lose-request', 'server-error']);
    await expect(sync(net)).rejects.toMatchObject({ kind: 'offline', retry: true });
    await expect(sync(net)).rejects.toMatchObject({ kind: 'server_error', retry: true });
    expect(await states()).toEqual(['pending', 'pending', 'pending']);
    expect(await countRows(server.db, 'signatures', device.deviceId)).toBe(0);
    await sync(net);
    expect(await states()).toEqual(['confirmed', 'confirmed', 'confirmed']);
  });

  it('splits a batch the server finds too large, and gives up nothing', async () => {
    await capture(300);
    const net = network(server.app, [(records) => (records > 100 ? 413 : undefined), (r) => (r > 100 ? 413 : undefined), (r) => (r > 100 ? 413 : undefined)]);
    const report = await sync(net);
    expect(report.confirmed).toBe(300);
    expect(Math.max(...net.sent)).toBeLessThanOrEqual(100);
    expect(await countRows(server.db, 'signatures', device.deviceId)).toBe(300);
  });

  it("keeps a rejected signature with the server's reason and never sends it again", async () => {
    await capture(3);
    // As an older app version might have saved it: a state the server refuses, with its digest.
    const { state: _s, digest: _d, initials: _i, signerKey: _k, ...second } = (await db.signatures.get({ seq: 2 }))!;
    await db.signatures.put({
      ...(await withDigest({ ...second, sealed: second.sealed!, place: { ...second.place, state: 'XX' as 'OH' } })),
      state: 'pending',
    });
    const report = await sync(network(server.app));
    expect(report).toMatchObject({ confirmed: 2, rejected: 1 });
    const rejected = (await db.signatures.where('state').equals('rejected').toArray())[0]!;
    expect(rejected.seq).toBe(2);
    expect(rejected.rejection).toMatchObject({ code: 'invalid_field', field: 'place.state' });
    const again = network(server.app);
    await sync(again);
    expect(again.sent).toEqual([0]);
    expect(await countRows(server.db, 'signatures', device.deviceId)).toBe(2);
  });

  it('tells a removed tablet plainly and keeps its signatures', async () => {
    await capture(2);
    await server.db.updateTable('devices').set({ revoked_at: new Date().toISOString() }).where('id', '=', device.deviceId).execute();
    await expect(sync(network(server.app))).rejects.toMatchObject({ kind: 'device_revoked', retry: false });
    expect(await states()).toEqual(['pending', 'pending']);
  });
});
