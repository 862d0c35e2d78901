import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchResponse, EnrollResponse } from '../../src/shared/protocol';
import { withDigest } from '../../src/shared/record';
import type { SignatureContent } from '../../src/shared/schema';
import { sampleDetails } from '../support/records';
import { countRows, createTestDrive, enroll, openStoredSignature, postBatch, signatureRecord, startServer, totals, type Harness } from './harness';

let server: Harness;
let code: string;

beforeAll(async () => {
  server = await startServer();
  ({ code } = await createTestDrive(server.db));
});
afterAll(() => server.stop());

const newDevice = () => enroll(server.app, code);
const signatureRow = (id: string) => server.db.selectFrom('signatures').selectAll().where('id', '=', id).executeTakeFirst();

async function send(device: EnrollResponse, records: unknown[], deviceTotals = totals(records.length)): Promise<BatchResponse> {
  const response = await postBatch(server.app, device.token, records, deviceTotals);
  expect(response.statusCode).toBe(200);
  return response.json<BatchResponse>();
}

describe('a batch of signatures', () => {
  it('is stored record by record: the clear fields in columns, the signer sealed as sent, opening to every field the signer gave', async () => {
    const device = await newDevice();
    const plain = await signatureRecord(device, 1);
    const full = await signatureRecord(
      device,
      2,
      (c) => {
        c.petition = { version: device.drive.petitions[1]!.version, language: 'es' };
      },
      (d) => {
        d.signer.email = 'ada@example.org';
        d.location = { latitude: 39.78, longitude: -89.65, accuracy: 12 };
      },
    );

    const answer = await send(device, [plain, full]);

    expect(answer.results).toEqual([
      { id: plain.id, status: 'stored' },
      { id: full.id, status: 'stored' },
    ]);
    expect(answer.receipt).toMatchObject({ deviceId: device.deviceId, received: 2, capturedThrough: 2 });
    expect(await signatureRow(plain.id)).toMatchObject({
      device_id: device.deviceId,
      seq: 1,
      drive_id: device.drive.id,
      petition_version: plain.petition.version,
      language: 'en',
      volunteer: 'Rosa Delgado',
      captured_at: plain.capturedAt,
      city: 'Springfield',
      state: 'IL',
      sealed: plain.sealed,
      digest: plain.digest,
      // Nothing of the signer in clear.
      given_name: null,
      family_name: null,
      street: null,
      zip: null,
      email: null,
      autograph: null,
      location: null,
    });
    expect(await openStoredSignature(server.db, (await signatureRow(plain.id))!)).toEqual(sampleDetails(1));
    const fullRow = await signatureRow(full.id);
    expect(fullRow).toMatchObject({ language: 'es', petition_version: full.petition.version, email: null, location: null });
    expect(await openStoredSignature(server.db, fullRow!)).toEqual({
      ...sampleDetails(2),
      signer: { ...sampleDetails(2).signer, email: 'ada@example.org' },
      location: { latitude: 39.78, longitude: -89.65, accuracy: 12 },
    });
  });

  it('keeps who attested a signature signed with assistance', async () => {
    const device = await newDevice();
    const assisted = await signatureRecord(device, 1, (c) => {
      c.assisted = { attestedBy: 'Rosa Delgado' };
    });
    const response = await postBatch(server.app, device.token, [assisted]);
    expect(response.json().results).toEqual([{ id: assisted.id, status: 'stored' }]);
    expect((await signatureRow(assisted.id))?.assisted_by).toBe('Rosa Delgado');
  });

  it('sent twice is stored once: the second delivery is answered duplicate', async () => {
    const device = await newDevice();
    const records = [await signatureRecord(device, 1), await signatureRecord(device, 2), await signatureRecord(device, 3)];
    await send(device, records);

    const again = await send(device, records);

    expect(again.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(again.receipt.received).toBe(3);
    expect(await countRows(server.db, 'signatures', device.deviceId)).toBe(3);
    expect(await countRows(server.db, 'conflicts', device.deviceId)).toBe(0);
  });

  it('holding the same record twice stores it once', async () => {
    const device = await newDevice();
    const record = await signatureRecord(device, 1);
    const answer = await send(device, [record, record]);
    expect(answer.results.map((r) => r.status)).toEqual(['stored', 'duplicate']);
    expect(await countRows(server.db, 'signatures', device.deviceId)).toBe(1);
  });

  it('never overwrites: the same id with other content is a conflict, kept once beside the original', async () => {
    const device = await newDevice();
    const original = await signatureRecord(device, 1);
    await send(device, [original]);
    const altered = await signatureRecord(
      device,
      1,
      (c) => {
        c.id = original.id;
      },
      (d) => {
        d.signer.familyName = 'Someone Else';
      },
    );

    const answer = await send(device, [altered]);
    await send(device, [altered]);

    expect(answer.results).toEqual([{ id: original.id, status: 'conflict', reason: { code: 'content_differs', message: expect.any(String) } }]);
    expect(await signatureRow(original.id)).toMatchObject({ sealed: original.sealed, digest: original.digest });
    const conflicts = await server.db.selectFrom('conflicts').selectAll().where('device_id', '=', device.deviceId).execute();
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ record_id: original.id, seq: 1, digest: altered.digest, code: 'content_differs' });
    expect(JSON.parse(conflicts[0]!.body)).toEqual(altered);
  });

  it('a second record claiming a taken sequence number is a conflict, kept, and the first stays', async () => {
    const device = await newDevice();
    const first = await signatureRecord(device, 5);
    await send(device, [first]);
    const second = await signatureRecord(device, 5);

    const answer = await send(device, [second]);

    expect(answer.results).toEqual([{ id: second.id, status: 'conflict', reason: { code: 'sequence_taken', message: expect.any(String) } }]);
    expect(await signatureRow(second.id)).toBeUndefined();
    expect(await signatureRow(first.id)).toMatchObject({ seq: 5 });
    const conflict = await server.db.selectFrom('conflicts').selectAll().where('record_id', '=', second.id).executeTakeFirstOrThrow();
    expect(conflict).toMatchObject({ device_id: device.deviceId, seq: 5, code: 'sequence_taken' });
  });
});

describe('a record the server refuses', () => {
  it('an invalid record is rejected alone, naming its field, while the valid ones beside it are stored', async () => {
    const device = await newDevice();
    const before = await signatureRecord(device, 1);
    const badZip = await signatureRecord(device, 2, (c) => {
      c.place.state = 'XX' as 'IL';
    });
    const after = await signatureRecord(device, 3);

    const answer = await send(device, [before, badZip, after]);

    expect(answer.results[0]).toEqual({ id: before.id, status: 'stored' });
    expect(answer.results[1]).toEqual({
      id: badZip.id,
      status: 'rejected',
      reason: { code: 'invalid_field', field: 'place.state', message: expect.any(String) },
    });
    expect(answer.results[2]).toEqual({ id: after.id, status: 'stored' });
    expect(await signatureRow(badZip.id)).toBeUndefined();
    const rejection = await server.db.selectFrom('rejections').selectAll().where('device_id', '=', device.deviceId).executeTakeFirstOrThrow();
    expect(rejection).toMatchObject({ record_id: badZip.id, seq: 2, code: 'invalid_field', field: 'place.state' });
  });

  it('a record whose content does not match its digest is rejected', async () => {
    const device = await newDevice();
    const record = await signatureRecord(device, 1);
    const tampered = { ...record, place: { ...record.place, city: 'Shelbyville' } };

    const answer = await send(device, [tampered]);

    expect(answer.results).toEqual([{ id: record.id, status: 'rejected', reason: { code: 'digest_mismatch', field: 'digest', message: expect.any(String) } }]);
    expect(await signatureRow(record.id)).toBeUndefined();
    expect(await countRows(server.db, 'rejections', device.deviceId)).toBe(1);
  });

  it('a record whose details are not sealed, or sealed in an unknown format, is rejected and nothing of it is stored in clear', async () => {
    const device = await newDevice();
    const good = await signatureRecord(device, 1);
    const { sealed: _sealed, ...clearContent } = good;
    // A protocol-1 record: the signer in clear, no sealed payload.
    const inClear = await withDigest({ ...clearContent, seq: 2, signer: sampleDetails(2).signer } as unknown as SignatureContent);
    const unknownFormat = await signatureRecord(device, 3, (c) => {
      const bytes = Buffer.from(c.sealed, 'base64url');
      bytes[0] = 9;
      c.sealed = bytes.toString('base64url');
    });

    const answer = await send(device, [inClear, unknownFormat]);

    expect(answer.results.map((r) => [r.status, r.status === 'rejected' && r.reason.field])).toEqual([
      ['rejected', 'sealed'],
      ['rejected', 'sealed'],
    ]);
    expect(await countRows(server.db, 'signatures', device.deviceId)).toBe(0);
    const rejections = await server.db.selectFrom('rejections').selectAll().where('device_id', '=', device.deviceId).execute();
    expect(JSON.stringify(rejections)).not.toContain('Signer 2');
  });

  it('a record captured on another device is rejected', async () => {
    const device = await newDevice();
    const other = await newDevice();
    const record = await signatureRecord(other, 1);

    const answer = await send(device, [record]);

    expect(answer.results[0]).toMatchObject({ status: 'rejected', reason: { code: 'wrong_device', field: 'deviceId' } });
    expect(await signatureRow(record.id)).toBeUndefined();
  });

  it('a record naming another drive is rejected', async () => {
    const device = await newDevice();
    const { drive: otherDrive } = await createTestDrive(server.db, 'Another drive');
    const record = await signatureRecord(device, 1, (c) => {
      c.driveId = otherDrive.id;
    });

    const answer = await send(device, [record]);

    expect(answer.results[0]).toMatchObject({ status: 'rejected', reason: { code: 'invalid_field', field: 'driveId' } });
    expect(await signatureRow(record.id)).toBeUndefined();
  });

  it('a record naming a petition version the drive does not have is rejected', async () => {
    const device = await newDevice();
    const record = await signatureRecord(device, 1, (c) => {
      c.petition.version = 'f'.repeat(64);
    });

    const answer = await send(device, [record]);

    expect(answer.results[0]).toMatchObject({ status: 'rejected', reason: { code: 'unknown_petition', field: 'petition.version' } });
    expect(await signatureRow(record.id)).toBeUndefined();
  });

  it('a record that is not an object at all is rejected with an empty id, and the batch goes on', async () => {
    const device = await newDevice();
    const good = await signatureRecord(device, 1);

    const answer = await send(device, ['not a record', good]);

    expect(answer.results[0]).toMatchObject({ id: '', status: 'rejected', reason: { code: 'invalid_field' } });
    expect(answer.results[1]).toEqual({ id: good.id, status: 'stored' });
    const rejection = await server.db.selectFrom('rejections').selectAll().where('device_id', '=', device.deviceId).executeTakeFirstOrThrow();
    expect(rejection).toMatchObject({ record_id: null, seq: null });
  });
});

describe("the device's totals", () => {
  it('an empty batch records the totals and answers with the receipt', async () => {
    const device = await newDevice();
    await send(device, [await signatureRecord(device, 1), await signatureRecord(device, 2)]);

    const answer = await send(
      device,
      [],
      totals(7, { waiting: 5, appVersion: '0.2.0', storage: { usage: 3_500_000_000, quota: 8_000_000_000, persisted: true } }),
    );

    expect(answer.results).toEqual([]);
    expect(answer.receipt).toMatchObject({ deviceId: device.deviceId, received: 2, capturedThrough: 7 });
    const row = await server.db.selectFrom('devices').selectAll().where('id', '=', device.deviceId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      captured_through: 7,
      waiting: 5,
      app_version: '0.2.0',
      storage_usage: 3_500_000_000,
      storage_quota: 8_000_000_000,
      storage_persisted: 1,
    });
    expect(row.last_sync_at).not.toBeNull();
  });

  it('captured-through never goes down', async () => {
    const device = await newDevice();
    await send(device, [], totals(9));
    const answer = await send(device, [], totals(4));
    expect(answer.receipt.capturedThrough).toBe(9);
  });
});
