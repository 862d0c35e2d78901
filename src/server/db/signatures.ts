// Signatures as the server holds them: one row per record id, one record per (device, seq).
import type { Kysely } from 'kysely';
import type { SignatureRecord } from '../../shared/schema';
import type { Database } from './schema';

export async function storedDigest(db: Kysely<Database>, id: string): Promise<string | undefined> {
  const row = await db.selectFrom('signatures').select('digest').where('id', '=', id).executeTakeFirst();
  return row?.digest;
}

/** The id of the record already holding this device's sequence number, if any. */
export async function idAtSequence(db: Kysely<Database>, deviceId: string, seq: number): Promise<string | undefined> {
  const row = await db.selectFrom('signatures').select('id').where('device_id', '=', deviceId).where('seq', '=', seq).executeTakeFirst();
  return row?.id;
}

export async function insertSignature(db: Kysely<Database>, record: SignatureRecord, now = new Date()): Promise<void> {
  const { signer } = record;
  await db
    .insertInto('signatures')
    .values({
      id: record.id,
      device_id: record.deviceId,
      seq: record.seq,
      drive_id: record.driveId,
      petition_version: record.petition.version,
      language: record.petition.language,
      volunteer: record.volunteer,
      captured_at: record.capturedAt,
      given_name: signer.givenName,
      family_name: signer.familyName,
      street: signer.street,
      city: signer.city,
      state: signer.state,
      zip: signer.zip,
      email: signer.email ?? null,
      autograph: record.autograph,
      location: record.location ? JSON.stringify(record.location) : null,
      digest: record.digest,
      received_at: now.toISOString(),
    })
    .execute();
  await countInTallies(db, record);
}

/**
 * Count stored signatures into the dashboard's tallies (`change` -1 takes them out again, e.g. when
 * voided). Call it in the transaction that stores them, for every record stored, however stored.
 */
export async function countInTallies(db: Kysely<Database>, records: SignatureRecord | readonly SignatureRecord[], change = 1): Promise<void> {
  const list: readonly SignatureRecord[] = Array.isArray(records) ? records : [records];
  const tallies = new Map<string, Database['signature_tallies']>();
  for (const record of list) {
    const row = {
      drive_id: record.driveId,
      device_id: record.deviceId,
      day: record.capturedAt.slice(0, 10),
      volunteer: record.volunteer,
      city: record.signer.city,
      state: record.signer.state,
      petition_version: record.petition.version,
      language: record.petition.language,
      signatures: 0,
    };
    const key = JSON.stringify([row.drive_id, row.device_id, row.day, row.volunteer, row.city, row.state, row.petition_version, row.language]);
    const tally = tallies.get(key) ?? row;
    tally.signatures += change;
    tallies.set(key, tally);
  }
  for (const tally of tallies.values()) {
    await db
      .insertInto('signature_tallies')
      .values(tally)
      .onConflict((oc) =>
        oc
          .columns(['drive_id', 'device_id', 'day', 'volunteer', 'city', 'state', 'petition_version', 'language'])
          .doUpdateSet((eb) => ({ signatures: eb('signature_tallies.signatures', '+', tally.signatures) })),
      )
      .execute();
  }
}
