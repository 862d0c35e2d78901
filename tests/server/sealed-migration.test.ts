// Migration 0011 (protocol 2) on a database that already holds signatures in clear: the rows stay
// whole (their receipts and counts unchanged), the clear columns become optional, and a sealed
// record is stored beside them with nothing of its signer in clear. On SQLite and PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/server/db/migrations';
import { insertSignatures } from '../../src/server/db/signatures';
import { sampleDetails, sampleRecord } from '../support/records';
import { clearSignatureRow, databaseBefore, freshDatabase } from './harness';

describe('the sealed-signers migration', () => {
  it('keeps every row filed in clear before it, and stores sealed rows with no clear signer column', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldpen-migrate-'));
    const fresh = await freshDatabase(dir);
    const { db } = fresh.database;
    try {
      const { db: oldDb, deviceId, driveId, version } = await databaseBefore(db, '0011');
      const now = new Date().toISOString();
      const fields = { deviceId, driveId, petitionVersion: version };
      const old = await Promise.all([1, 2].map((seq) => sampleRecord({ ...fields, seq })));
      const oldRows = old.map((r) => clearSignatureRow(r, sampleDetails(r.seq), new Date(now)));
      for (const row of oldRows)
        await oldDb
          .insertInto('signatures')
          .values(row as never)
          .execute();

      expect(await migrateToLatest(db)).toEqual(['0011-sealed-signers']);

      const kept = await oldDb.selectFrom('signatures').selectAll().orderBy('seq').execute();
      expect(kept.map((r) => ({ ...r }))).toEqual(oldRows.map((r) => expect.objectContaining({ ...r, sealed: null })));
      const sealed = await sampleRecord({ ...fields, seq: 3 });
      await insertSignatures(oldDb, [sealed], 'America/New_York');
      const row = await oldDb.selectFrom('signatures').selectAll().where('id', '=', sealed.id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ seq: 3, sealed: sealed.sealed, city: 'Springfield', state: 'IL', given_name: null, street: null, autograph: null });
      // The (device, seq) rule still holds on the rebuilt table.
      await expect(insertSignatures(oldDb, [await sampleRecord({ ...fields, seq: 3 })], 'America/New_York')).rejects.toThrow();
      expect(await oldDb.selectFrom('drive_keys').selectAll().execute()).toEqual([]);
    } finally {
      await fresh.database.close();
      await fresh.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
