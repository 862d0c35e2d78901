// A revoked tablet wipes, at its next contact, every signer the server confirmed; what the server does
// not hold yet stays on it, sealed, for the lead to deliver. The device's sync engine (fake-indexeddb)
// against the real server on a real SQLite file, revoked by a lead through the API's own route.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EnrollResponse } from '../../src/shared/protocol';
import type { DeviceDB } from '../../src/storage/device-db';
import { saveDrive } from '../../src/storage/settings';
import { DeviceRevoked, syncOnce } from '../../src/sync/sync-engine';
import { countRows, type Harness } from './harness';
import { captureOn, setUpTablet, tearDownTablet } from './tablet';

let server: Harness;
let device: EnrollResponse;
let db: DeviceDB;

beforeEach(async () => {
  ({ server, device, db } = await setUpTablet('Tablet 9'));
  await saveDrive(device.drive);
});
afterEach(() => tearDownTablet({ server, device, db }));

const fetchVia = (async (url: string, init: RequestInit) => {
  const res = await server.app.inject({ method: 'POST', url, headers: init.headers as Record<string, string>, payload: String(init.body) });
  return new Response(res.body, { status: res.statusCode, headers: { 'content-type': 'application/json' } });
}) as unknown as typeof fetch;

describe('a revoked tablet', () => {
  it('erases what the server confirmed at its next sync and keeps what it has not delivered, sealed', async () => {
    await captureOn(device, 3);
    await syncOnce({ appVersion: '0.1.0-test', fetch: fetchVia });
    const waiting = await captureOn(device, 2);
    expect((await db.signatures.orderBy('seq').toArray()).map((r) => r.state)).toEqual(['confirmed', 'confirmed', 'confirmed', 'pending', 'pending']);

    await server.db.updateTable('devices').set({ revoked_at: new Date().toISOString() }).where('id', '=', device.deviceId).execute();
    const failure = await syncOnce({ appVersion: '0.1.0-test', fetch: fetchVia }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DeviceRevoked);
    expect(failure).toMatchObject({ kind: 'device_revoked', retry: false });
    expect((failure as Error).message).toContain('2 not yet delivered stay on it, sealed');

    const rows = await db.signatures.orderBy('seq').toArray();
    expect(rows.map((r) => r.state)).toEqual(['purged', 'purged', 'purged', 'pending', 'pending']);
    for (const row of rows.slice(0, 3)) {
      expect(row).not.toHaveProperty('sealed');
      expect(row).not.toHaveProperty('signerKey');
    }
    expect(rows.slice(3)).toEqual(waiting);
    // The server still holds the three, and nothing of the refused sync.
    expect(await countRows(server.db, 'signatures', device.deviceId)).toBe(3);
  });
});
