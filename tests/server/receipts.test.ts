// Receipts and voids on the server: per device, what it holds against what the device captured,
// with a code the device can recompute; voids change a held signature's state and keep its number.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/server/db/connect';
import { migrateToLatest } from '../../src/server/db/migrations';
import { deviceReceipt, deviceReceipts } from '../../src/server/db/receipts';
import { API, PROTOCOL_VERSION, type BatchResponse, type EnrollResponse, type VoidNotice } from '../../src/shared/protocol';
import { receiptCodeOf } from '../../src/shared/receipt-code';
import type { SignatureRecord } from '../../src/shared/schema';
import { sampleDetails, sampleRecord } from '../support/records';
import { clearSignatureRow, createTestDrive, databaseBefore, enroll, signatureRecord, startServer, totals, type Harness } from './harness';

let server: Harness;
let code: string;

beforeAll(async () => {
  server = await startServer();
  ({ code } = await createTestDrive(server.db));
});
afterAll(() => server.stop());

async function send(device: EnrollResponse, records: unknown[], capturedThrough: number, voids?: unknown[]): Promise<BatchResponse> {
  const response = await server.app.inject({
    method: 'POST',
    url: API.batches,
    headers: { authorization: `Bearer ${device.token}` },
    payload: { protocol: PROTOCOL_VERSION, records, ...(voids ? { voids } : {}), totals: totals(capturedThrough) },
  });
  expect(response.statusCode).toBe(200);
  return response.json<BatchResponse>();
}

const voidOf = (r: SignatureRecord, reason = 'Signer asked to withdraw'): VoidNotice => ({ id: r.id, seq: r.seq, reason, voidedAt: new Date().toISOString() });
const records = (device: EnrollResponse, seqs: number[]) => Promise.all(seqs.map((s) => signatureRecord(device, s)));

describe('the receipt a device gets with every batch', () => {
  it('says complete when every captured sequence number is held, with a code the device can recompute', async () => {
    const device = await enroll(server.app, code);
    const sent = await records(device, [1, 2, 3, 4, 5]);
    const { receipt } = await send(device, sent, 5);
    expect(receipt).toMatchObject({ received: 5, capturedThrough: 5, contiguousThrough: 5, missing: [], missingCount: 0, voided: 0, complete: true });
    expect(receipt.code).toMatch(/^[0-9A-F]{4}-[0-9A-F]{4}$/);
    expect(receipt.code).toBe(await receiptCodeOf(sent.map((r) => ({ digest: r.digest, voided: false }))));
  });

  it('lists the missing sequence numbers and where the unbroken run ends', async () => {
    const device = await enroll(server.app, code);
    const { receipt } = await send(device, await records(device, [1, 2, 4, 7]), 9);
    expect(receipt).toMatchObject({ received: 4, capturedThrough: 9, contiguousThrough: 2, missing: [3, 5, 6, 8, 9], missingCount: 5, complete: false });
    const later = await send(device, await records(device, [3, 5, 6, 8, 9]), 9);
    expect(later.receipt).toMatchObject({ received: 9, contiguousThrough: 9, missing: [], complete: true });
  });

  it('bounds the list of missing numbers but counts them all', async () => {
    const device = await enroll(server.app, code);
    const { receipt } = await send(device, await records(device, [1]), 1000);
    expect(receipt.missing).toHaveLength(100);
    expect(receipt.missing[0]).toBe(2);
    expect(receipt.missingCount).toBe(999);
  });

  it('does not change when the same batch is delivered again', async () => {
    const device = await enroll(server.app, code);
    const sent = await records(device, [1, 2, 3]);
    const first = await send(device, sent, 3);
    const again = await send(device, sent, 3);
    expect(again.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(again.receipt).toEqual(first.receipt);
  });

  it('is given for every device of the drive, for the lead', async () => {
    const { code: otherCode } = await createTestDrive(server.db, 'Another drive');
    const a = await enroll(server.app, otherCode, 'Tablet A');
    const b = await enroll(server.app, otherCode, 'Tablet B');
    await send(a, await records(a, [1, 2]), 2);
    await send(b, await records(b, [2]), 3);
    const receipts = await deviceReceipts(server.db, a.drive.id);
    expect(receipts.map((r) => [r.deviceId, r.received, r.complete, r.missing])).toEqual([
      [a.deviceId, 2, true, []],
      [b.deviceId, 1, false, [1, 3]],
    ]);
    expect(await deviceReceipt(server.db, b.deviceId)).toEqual(receipts[1]);
  });
});

describe('a void', () => {
  it('travels with a record voided before it was ever sent: stored, then voided, its number kept', async () => {
    const device = await enroll(server.app, code);
    const [one, two] = await records(device, [1, 2]);
    const answer = await send(device, [one, two], 2, [voidOf(two!, 'Signed twice')]);
    expect(answer.results.map((r) => r.status)).toEqual(['stored', 'stored']);
    expect(answer.voidResults).toEqual([{ id: two!.id, status: 'voided' }]);
    const row = await server.db.selectFrom('signatures').selectAll().where('id', '=', two!.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ seq: 2, void_reason: 'Signed twice', digest: two!.digest });
    expect(row.voided_at).toBeTruthy();
    expect(answer.receipt).toMatchObject({ received: 2, voided: 1, complete: true });
    expect(answer.receipt.code).toBe(
      await receiptCodeOf([
        { digest: one!.digest, voided: false },
        { digest: two!.digest, voided: true },
      ]),
    );
  });

  it('of a confirmed signature arrives alone and changes the receipt code; delivered again it changes nothing', async () => {
    const device = await enroll(server.app, code);
    const sent = await records(device, [1, 2]);
    const before = await send(device, sent, 2);
    const voided = await send(device, [], 2, [voidOf(sent[0]!)]);
    expect(voided.voidResults).toEqual([{ id: sent[0]!.id, status: 'voided' }]);
    expect(voided.receipt.code).not.toBe(before.receipt.code);
    expect(voided.receipt).toMatchObject({ received: 2, voided: 1, complete: true });
    const again = await send(device, [], 2, [voidOf(sent[0]!, 'A different reason')]);
    expect(again.voidResults).toEqual([{ id: sent[0]!.id, status: 'duplicate' }]);
    expect(again.receipt).toEqual(voided.receipt);
    const row = await server.db.selectFrom('signatures').select('void_reason').where('id', '=', sent[0]!.id).executeTakeFirstOrThrow();
    expect(row.void_reason).toBe('Signer asked to withdraw');
  });

  it('of a signature the server does not hold, or with the wrong number, is refused and changes nothing', async () => {
    const device = await enroll(server.app, code);
    const [held, never] = await records(device, [1, 2]);
    await send(device, [held], 2);
    const answer = await send(device, [], 2, [voidOf(never!), { ...voidOf(held!), seq: 7 }, { id: held!.id, seq: 1, reason: '', voidedAt: 'yesterday' }]);
    expect(answer.voidResults!.map((r) => [r.status, 'reason' in r ? r.reason.code : undefined])).toEqual([
      ['rejected', 'not_found'],
      ['rejected', 'not_found'],
      ['rejected', 'invalid_field'],
    ]);
    expect(answer.receipt.voided).toBe(0);
    const row = await server.db.selectFrom('signatures').select('voided_at').where('id', '=', held!.id).executeTakeFirstOrThrow();
    expect(row.voided_at).toBeNull();
  });

  it("of another device's signature is refused", async () => {
    const owner = await enroll(server.app, code);
    const other = await enroll(server.app, code);
    const [record] = await records(owner, [1]);
    await send(owner, [record], 1);
    const answer = await send(other, [], 0, [voidOf(record!)]);
    expect(answer.voidResults![0]!.status).toBe('rejected');
  });

  it('with a malformed envelope is a 400 that stores nothing', async () => {
    const device = await enroll(server.app, code);
    const [record] = await records(device, [1]);
    const response = await server.app.inject({
      method: 'POST',
      url: API.batches,
      headers: { authorization: `Bearer ${device.token}` },
      payload: { protocol: PROTOCOL_VERSION, records: [record], voids: 'all of them', totals: totals(1) },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'invalid_field', field: 'voids' } });
    expect(await server.db.selectFrom('signatures').select('id').where('id', '=', record!.id).executeTakeFirst()).toBeUndefined();
  });
});

describe('the voids-and-receipts migration', () => {
  it('brings signatures stored before it into their device receipt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldpen-migrate-'));
    const { db, close } = openDatabase({ file: join(dir, 'old.sqlite') });
    try {
      // A database as version 0001 left it, written by hand: today's functions write later columns.
      const { db: oldDb, deviceId, version } = await databaseBefore(db, '0002');
      const enrolled = { deviceId };
      const old = await Promise.all([1, 2, 3].map((seq) => sampleRecord({ deviceId, driveId: 'old-drive', petitionVersion: version, seq })));
      // As version 0001 stored them: the row alone (later versions also count dashboard tallies).
      for (const r of old) {
        const row = clearSignatureRow(r, sampleDetails(r.seq), new Date());
        await oldDb
          .insertInto('signatures')
          .values(row as never)
          .execute();
      }

      expect((await migrateToLatest(db))[0]).toBe('0002-voids-and-receipts');
      const receipt = (await deviceReceipt(db, enrolled.deviceId))!;
      expect(receipt).toMatchObject({ received: 3, contiguousThrough: 3, voided: 0 });
      expect(receipt.code).toBe(await receiptCodeOf(old.map((r) => ({ digest: r.digest, voided: false }))));
    } finally {
      await close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
