// An enrolled tablet learns of its drive's changes (a new petition text, required fields) from the
// real server: the drive is kept on the tablet, and a change is told only when there is one.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EnrollResponse } from '../../src/shared/protocol';
import { DeviceDB } from '../../src/storage/device-db';
import { loadDrive, loadDriveCheckedAt, saveDrive } from '../../src/storage/settings';
import { refreshDrive } from '../../src/sync/drive-refresh';
import { editDrive } from '../../src/server/db/drives';
import type { Harness } from './harness';
import { setUpTablet, tearDownTablet } from './tablet';

let server: Harness;
let device: EnrollResponse;
let db: DeviceDB;

beforeEach(async () => {
  ({ server, device, db } = await setUpTablet('Tablet 3'));
  await saveDrive(device.drive, new Date('2026-11-01T09:00:00Z'));
});
afterEach(() => tearDownTablet({ server, device, db }));

/** fetch over app.inject, answering with what the server answers (or with `replace`, when given). */
const network = (replace?: (body: string) => string) =>
  (async (url: string, init: RequestInit) => {
    const res = await server.app.inject({ method: 'GET', url, headers: init.headers as Record<string, string> });
    return new Response(replace ? replace(res.body) : res.body, { status: res.statusCode, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;

describe('the drive on an enrolled tablet', () => {
  it('takes an edited petition and required fields, and says nothing when nothing changed', async () => {
    expect(await refreshDrive(network())).toBeUndefined();
    expect(Date.parse((await loadDriveCheckedAt())!)).toBeGreaterThan(Date.parse('2026-11-01T09:00:00Z'));

    const [english, ...others] = device.drive.petitions;
    const edited = { language: english!.language, title: english!.title, text: `${english!.text} Amended to name the Sunday hours.` };
    await editDrive(server.db, device.drive.id, {
      requiredFields: ['email'],
      petitions: [edited, ...others.map(({ language, title, text }) => ({ language, title, text }))],
    });
    const changed = await refreshDrive(network());
    expect(changed?.requiredFields).toEqual(['email']);
    const text = changed?.petitions.find((p) => p.language === 'en');
    expect(text?.text).toBe(edited.text);
    expect(text?.version).not.toBe(english!.version);
    expect(await loadDrive()).toEqual(changed);
    expect(await refreshDrive(network())).toBeUndefined();
  });

  it('keeps the drive it has when the answer is another drive, no drive, or an error', async () => {
    const kept = await loadDrive();
    expect(await refreshDrive(network((body) => body.replace(device.drive.id, 'another-drive')))).toBeUndefined();
    expect(await refreshDrive(network((body) => JSON.stringify({ ...JSON.parse(body), petitions: [] })))).toBeUndefined();
    expect(await refreshDrive(network(() => 'not json'))).toBeUndefined();
    const refused = (async () => new Response('{"error":{"code":"device_revoked","message":"removed"}}', { status: 403 })) as typeof fetch;
    expect(await refreshDrive(refused)).toBeUndefined();
    expect(await loadDrive()).toEqual(kept);
  });
});
