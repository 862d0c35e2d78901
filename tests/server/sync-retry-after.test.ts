// A busy server's 503 tells the tablet when to come back: the sync fails softly, keeps every record
// waiting, carries the server's Retry-After to the scheduler, and delivers once the load drops.
import 'fake-indexeddb/auto';
import { afterEach, expect, it } from 'vitest';
import { deviceCounts } from '../../src/storage/outbox';
import { SyncFailure, syncOnce } from '../../src/sync/sync-engine';
import { countRows } from './harness';
import { captureOn, setUpTablet, tearDownTablet, type Tablet } from './tablet';

let tablet: Tablet | undefined;
afterEach(async () => {
  if (tablet) await tearDownTablet(tablet);
  tablet = undefined;
});

it('keeps its signatures through a 503 overloaded, waits what Retry-After says, and delivers them once the load drops', async () => {
  let queue = 100;
  tablet = await setUpTablet('Tablet 3', { server: { limits: { poolQueue: 10, retryAfterS: 7 }, poolQueue: () => queue } });
  const { server, device } = tablet;
  await captureOn(device, 12);
  // A fetch over app.inject that keeps the answer's headers, as a browser's does.
  const fetch = (async (url: string, init: RequestInit) => {
    const res = await server.app.inject({ method: 'POST', url, headers: init.headers as Record<string, string>, payload: String(init.body) });
    return new Response(res.body, { status: res.statusCode, headers: res.headers as Record<string, string> });
  }) as unknown as typeof globalThis.fetch;

  const failure = await syncOnce({ appVersion: '0.1.0-test', fetch }).catch((e: unknown) => e);
  expect(failure).toBeInstanceOf(SyncFailure);
  expect(failure).toMatchObject({ kind: 'server_error', retry: true, retryAfterMs: 7_000 });
  expect((failure as SyncFailure).message).toMatch(/503.*busy/);
  expect(await countRows(server.db, 'signatures', device.deviceId)).toBe(0);
  expect((await deviceCounts()).waiting).toBe(12);

  queue = 0;
  const report = await syncOnce({ appVersion: '0.1.0-test', fetch });
  expect(report).toMatchObject({ confirmed: 12, receipt: { received: 12, complete: true } });
  expect(await countRows(server.db, 'signatures', device.deviceId)).toBe(12);
});
