// Past its bounds an instance answers at once (503 overloaded or 429 rate_limited, with Retry-After)
// instead of letting requests wait out their timeout; once the load drops every record is held once.
import { afterEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { PassThrough } from 'node:stream';
import { API, PROTOCOL_VERSION, type ApiError, type BatchResponse, type EnrollResponse } from '../../src/shared/protocol';
import type { SignatureRecord } from '../../src/shared/schema';
import type { OverloadLimits } from '../../src/server/overload';
import { limitsFromEnv } from '../../src/server/overload';
import { createTestDrive, enroll, postBatch, signatureRecord, startServer, totals, type Harness } from './harness';

const ANSWER_TIMEOUT_MS = 10_000;
let server: Harness | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function serverWith(limits: Partial<OverloadLimits>, poolQueue?: () => number): Promise<{ server: Harness; code: string }> {
  server = await startServer({ server: { limits, poolQueue } });
  const { code } = await createTestDrive(server.db);
  return { server, code };
}

/** The answer, or a failure if none came within the timeout a tablet would wait. */
function answered(request: Promise<LightMyRequestResponse>): Promise<LightMyRequestResponse> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms`)), ANSWER_TIMEOUT_MS);
  });
  return Promise.race([request, timeout]).finally(() => clearTimeout(timer));
}

interface Pending {
  device: EnrollResponse;
  records: SignatureRecord[];
}

/** Send every batch at once; what was turned away is sent again (one at a time) until all is stored. */
async function rush(harness: Harness, batches: Pending[]): Promise<LightMyRequestResponse[]> {
  const first = await Promise.all(batches.map((b) => answered(postBatch(harness.app, b.device.token, b.records, totals(b.records.at(-1)!.seq)))));
  for (const [i, response] of first.entries()) {
    if (response.statusCode === 200) continue;
    const b = batches[i]!;
    const again = await answered(postBatch(harness.app, b.device.token, b.records, totals(b.records.at(-1)!.seq)));
    expect(again.statusCode).toBe(200);
  }
  return first;
}

async function heldIds(harness: Harness): Promise<string[]> {
  return (await harness.db.selectFrom('signatures').select('id').execute()).map((r) => r.id);
}

async function records(device: EnrollResponse, from: number, count: number): Promise<SignatureRecord[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => signatureRecord(device, from + i)));
}

describe('an instance past its limits', () => {
  it('turns the excess batches away with 503 overloaded and Retry-After, answers every request in time, and holds every record once after the resends', async () => {
    const { server: s, code } = await serverWith({ batchesInFlight: 2, batchWaitMs: 60_000, retryAfterS: 3 });
    const devices = await Promise.all(Array.from({ length: 6 }, () => enroll(s.app, code)));
    const batches: Pending[] = [];
    for (const device of devices) batches.push({ device, records: await records(device, 1, 20) }, { device, records: await records(device, 21, 20) });

    const first = await rush(s, batches);

    const refused = first.filter((r) => r.statusCode !== 200);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.statusCode).toBe(503);
      expect(r.headers['retry-after']).toBe('3');
      expect(r.json<ApiError>().error.code).toBe('overloaded');
    }
    const ids = await heldIds(s);
    expect(ids).toHaveLength(6 * 40);
    expect(new Set(ids).size).toBe(ids.length);
    for (const device of devices) {
      const last = await postBatch(s.app, device.token, [], totals(40));
      expect(last.json<BatchResponse>().receipt).toMatchObject({ received: 40, complete: true });
    }
  });

  it('turns new batches away while the oldest one being filed has taken longer than the bound', async () => {
    const { server: s, code } = await serverWith({ batchWaitMs: 1 });
    const [slow, late] = await Promise.all([enroll(s.app, code), enroll(s.app, code)]);
    const big = await records(slow, 1, 500);
    const lateBatch = await records(late, 1, 5);
    // A batch still arriving over a slow link: in flight from its first byte.
    const body = JSON.stringify({ protocol: PROTOCOL_VERSION, records: big, totals: totals(500) });
    const link = new PassThrough();
    const filing = s.app.inject({
      method: 'POST',
      url: API.batches,
      headers: { authorization: `Bearer ${slow.token}`, 'content-type': 'application/json' },
      payload: link,
    });
    link.write(body.slice(0, 1000));
    await new Promise((r) => setTimeout(r, 20));
    const turned = await postBatch(s.app, late.token, lateBatch, totals(5));
    link.end(body.slice(1000));
    expect((await filing).statusCode).toBe(200);
    expect(turned.statusCode).toBe(503);
    expect(turned.json<ApiError>().error.code).toBe('overloaded');
    // Nothing in flight: the next one is filed.
    expect((await postBatch(s.app, late.token, lateBatch, totals(5))).statusCode).toBe(200);
    expect(await heldIds(s)).toHaveLength(505);
  });

  it('bounds one device to its share of batches at once with 429 and Retry-After; other devices are served', async () => {
    const { server: s, code } = await serverWith({ batchesPerDevice: 1, batchesInFlight: 100, batchWaitMs: 60_000 });
    const greedy = await enroll(s.app, code);
    const other = await enroll(s.app, code);
    const batches: Pending[] = [];
    for (let i = 0; i < 5; i++) batches.push({ device: greedy, records: await records(greedy, 1 + i * 10, 10) });
    batches.push({ device: other, records: await records(other, 1, 10) });

    const first = await rush(s, batches);

    expect(first.at(-1)!.statusCode).toBe(200);
    const refused = first.filter((r) => r.statusCode !== 200);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.statusCode).toBe(429);
      expect(r.headers['retry-after']).toBe('2');
      expect(r.json<ApiError>().error.code).toBe('rate_limited');
    }
    expect(await heldIds(s)).toHaveLength(60);
  });

  it('bounds the requests of one address at once', async () => {
    const { server: s, code } = await serverWith({ requestsPerAddress: 1, batchWaitMs: 60_000 });
    const device = await enroll(s.app, code);
    const [a, b] = await Promise.all([
      postBatch(s.app, device.token, await records(device, 1, 30), totals(30)),
      s.app.inject({ method: 'GET', url: '/api/v1/drive', headers: { authorization: `Bearer ${device.token}` } }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 429]);
    // Another address is not held back.
    const elsewhere = await s.app.inject({
      method: 'GET',
      url: '/api/v1/drive',
      headers: { authorization: `Bearer ${device.token}` },
      remoteAddress: '10.0.0.7',
    });
    expect(elsewhere.statusCode).toBe(200);
  });

  it('turns batches away while the database queue is long or memory is high, and stores nothing of them', async () => {
    let queue = 50;
    const { server: s, code } = await serverWith({ poolQueue: 20 }, () => queue);
    const device = await enroll(s.app, code);
    const batch = await records(device, 1, 5);
    const queued = await postBatch(s.app, device.token, batch, totals(5));
    expect(queued.statusCode).toBe(503);
    expect(queued.headers['retry-after']).toBe('2');
    expect(await heldIds(s)).toHaveLength(0);
    queue = 0;
    expect((await postBatch(s.app, device.token, batch, totals(5))).statusCode).toBe(200);
    await s.stop();

    server = await startServer({ server: { limits: { heapFraction: 0.0001 } } });
    const { code: code2 } = await createTestDrive(server.db);
    const device2 = await enroll(server.app, code2);
    const full = await postBatch(server.app, device2.token, await records(device2, 1, 5), totals(5));
    expect(full.statusCode).toBe(503);
    expect(full.json<ApiError>().error.code).toBe('overloaded');
    expect(await heldIds(server)).toHaveLength(0);
  });

  it('answers 503 with Connection: close once it drains for a restart', async () => {
    const { server: s, code } = await serverWith({});
    const device = await enroll(s.app, code);
    s.app.overload.drain();
    const response = await postBatch(s.app, device.token, await records(device, 1, 3), totals(3));
    expect(response.statusCode).toBe(503);
    expect(response.headers.connection).toBe('close');
    expect(response.headers['retry-after']).toBeDefined();
    expect(await heldIds(s)).toHaveLength(0);
  });
});

describe('limits from the environment', () => {
  it('reads each variable, keeps the defaults for the rest, and names a bad value', () => {
    expect(limitsFromEnv({ MAX_BATCHES_IN_FLIGHT: '8', MAX_HEAP_FRACTION: '0.9' })).toMatchObject({
      batchesInFlight: 8,
      heapFraction: 0.9,
      batchesPerDevice: 4,
    });
    expect(() => limitsFromEnv({ MAX_BATCHES_PER_DEVICE: 'many' })).toThrow(/MAX_BATCHES_PER_DEVICE=many/);
    expect(() => limitsFromEnv({ MAX_HEAP_FRACTION: '2' })).toThrow(/MAX_HEAP_FRACTION/);
  });
});
