import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API, MAX_BATCH_BYTES, PROTOCOL_VERSION, type EnrollResponse } from '../../src/shared/protocol';
import { countRows, createTestDrive, enroll, postBatch, signatureRecord, startServer, totals, type Harness } from './harness';

let server: Harness;
let code: string;

beforeAll(async () => {
  server = await startServer();
  ({ code } = await createTestDrive(server.db));
});
afterAll(() => server.stop());

const newDevice = () => enroll(server.app, code);

function postRaw(device: EnrollResponse, payload: string, contentType = 'application/json') {
  return server.app.inject({
    method: 'POST',
    url: API.batches,
    headers: { authorization: `Bearer ${device.token}`, 'content-type': contentType },
    payload,
  });
}

/** Nothing of the device's changed: no signature, conflict or rejection, no sync recorded. */
async function expectNothingStored(device: EnrollResponse) {
  expect(await countRows(server.db, 'signatures', device.deviceId)).toBe(0);
  expect(await countRows(server.db, 'conflicts', device.deviceId)).toBe(0);
  expect(await countRows(server.db, 'rejections', device.deviceId)).toBe(0);
  const row = await server.db.selectFrom('devices').select(['last_sync_at', 'captured_through']).where('id', '=', device.deviceId).executeTakeFirstOrThrow();
  expect(row).toEqual({ last_sync_at: null, captured_through: 0 });
}

describe('a batch request that cannot be read', () => {
  it('malformed JSON gets 400 invalid_json and stores nothing', async () => {
    const device = await newDevice();
    const record = await signatureRecord(device, 1);
    const body = JSON.stringify({ protocol: PROTOCOL_VERSION, records: [record], totals: totals(1) });

    const response = await postRaw(device, body.slice(0, -5));

    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: { code: 'invalid_json', message: expect.any(String) } });
    await expectNothingStored(device);
  });

  it.each([
    ['records is not a list', { records: 'none', totals: totals(0) }, 'records'],
    ['totals are missing', { records: [] }, 'totals'],
    ['a total has the wrong type', { records: [], totals: { ...totals(0), waiting: 'three' } }, 'totals.waiting'],
    ['protocol is missing', { records: [], totals: totals(0), protocol: undefined }, 'protocol'],
  ])('an envelope whose %s gets 400 naming the field and stores nothing', async (_, envelope, field) => {
    const device = await newDevice();
    const record = await signatureRecord(device, 1);
    const records = Array.isArray(envelope.records) ? [record] : envelope.records;

    const response = await postRaw(device, JSON.stringify({ protocol: PROTOCOL_VERSION, ...envelope, records }));

    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'invalid_field', field } });
    await expectNothingStored(device);
  });

  it('another protocol version gets 400 unsupported_protocol and stores nothing', async () => {
    const device = await newDevice();
    const response = await postRaw(device, JSON.stringify({ protocol: PROTOCOL_VERSION + 1, records: [await signatureRecord(device, 1)], totals: totals(1) }));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'unsupported_protocol', field: 'protocol' } });
    await expectNothingStored(device);
  });

  it('a body over the limit gets 413 body_too_large, so the device splits the batch', async () => {
    const device = await newDevice();
    const record = await signatureRecord(device, 1);
    const padding = 'x'.repeat(MAX_BATCH_BYTES);
    const body = JSON.stringify({ protocol: PROTOCOL_VERSION, records: [{ ...record, padding }], totals: totals(1) });

    const response = await postRaw(device, body);

    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ error: { code: 'body_too_large' } });
    await expectNothingStored(device);
  });

  it('a body that is not JSON gets 415 unsupported_media_type', async () => {
    const device = await newDevice();
    const response = await postRaw(device, 'protocol=1', 'text/plain');
    expect(response.statusCode).toBe(415);
    expect(response.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
    await expectNothingStored(device);
  });
});

describe('who may deliver', () => {
  it('a request without a token gets 401 unauthorized', async () => {
    const response = await postBatch(server.app, undefined, []);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('an unknown token gets 401 unauthorized, on every device route', async () => {
    const batch = await postBatch(server.app, 'not-a-token-this-server-issued', []);
    const drive = await server.app.inject({ method: 'GET', url: API.drive, headers: { authorization: 'Bearer not-a-token' } });
    expect([batch.statusCode, drive.statusCode]).toEqual([401, 401]);
    expect(batch.json()).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('a revoked device gets 403 device_revoked and nothing it sends is stored', async () => {
    const device = await newDevice();
    await server.db.updateTable('devices').set({ revoked_at: new Date().toISOString() }).where('id', '=', device.deviceId).execute();

    const response = await postBatch(server.app, device.token, [await signatureRecord(device, 1)]);

    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ error: { code: 'device_revoked' } });
    await expectNothingStored(device);
  });
});

describe('addresses', () => {
  it('an unknown /api route gets a JSON 404', async () => {
    const response = await server.app.inject({ method: 'GET', url: '/api/v1/petitions' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });

  it('a wrong method on a known route gets a JSON 404', async () => {
    const response = await server.app.inject({ method: 'GET', url: API.batches });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});

describe('a failure inside the server', () => {
  it('answers 500 internal without telling how it failed', async () => {
    const broken = await startServer();
    try {
      const { code: brokenCode } = await createTestDrive(broken.db);
      const device = await enroll(broken.app, brokenCode);
      await broken.db.schema.dropTable('rejections').execute();

      const response = await postBatch(broken.app, device.token, ['not a record']);

      expect(response.statusCode).toBe(500);
      expect(response.json()).toEqual({ error: { code: 'internal', message: expect.any(String) } });
      expect(response.body).not.toMatch(/rejections|sqlite|table|stack/i);
    } finally {
      await broken.stop();
    }
  });
});
