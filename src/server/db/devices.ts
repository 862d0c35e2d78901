// Enrolled devices: who may submit, and what each says it has captured.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DeviceReport, DeviceTotals } from '../../shared/protocol';
import { hashDeviceToken, makeDeviceToken } from '../device-token';
import { DriveKeyMissingError, sealKeyOf } from './drive-keys';
import { consumeEnrollmentCode } from './enrollment-codes';
import type { Database } from './schema';

export interface EnrolledDevice {
  deviceId: string;
  driveId: string;
  /** The only time the token exists outside the device. */
  token: string;
}

export interface DeviceIdentity {
  id: string;
  driveId: string;
  revoked: boolean;
}

/**
 * Use up one use of the code and enroll a device on its drive; undefined when the code does not open
 * one. What the device reports of itself (app version, storage) is kept as a sync's totals would be.
 */
export async function enrollDevice(
  db: Kysely<Database>,
  request: { code: string; name?: string | undefined; device?: DeviceReport | undefined },
  now = new Date(),
): Promise<EnrolledDevice | undefined> {
  return db.transaction().execute(async (trx) => {
    const driveId = await consumeEnrollmentCode(trx, request.code, now);
    if (!driveId) return undefined;
    // A tablet must seal to the drive's key from its first signer; throwing rolls the code's use back.
    if (!(await sealKeyOf(trx, driveId))) throw new DriveKeyMissingError(`drive ${driveId} has no key yet`);
    const deviceId = randomUUID();
    const token = makeDeviceToken();
    const name = request.name || (await defaultDeviceName(trx, driveId));
    await trx
      .insertInto('devices')
      .values({ id: deviceId, drive_id: driveId, name, token_hash: hashDeviceToken(token), enrolled_at: now.toISOString(), ...reportColumns(request.device) })
      .execute();
    return { deviceId, driveId, token };
  });
}

/** "Tablet 7": the lead can tell devices apart before anyone names them. */
async function defaultDeviceName(db: Kysely<Database>, driveId: string): Promise<string> {
  const { n } = await db
    .selectFrom('devices')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('drive_id', '=', driveId)
    .executeTakeFirstOrThrow();
  return `Tablet ${Number(n) + 1}`;
}

export async function findDeviceByToken(db: Kysely<Database>, token: string): Promise<DeviceIdentity | undefined> {
  const row = await db.selectFrom('devices').select(['id', 'drive_id', 'revoked_at']).where('token_hash', '=', hashDeviceToken(token)).executeTakeFirst();
  return row && { id: row.id, driveId: row.drive_id, revoked: row.revoked_at !== null };
}

/**
 * A revoked device made contact: the 403 it gets tells it to wipe its confirmed payloads. True the
 * first time only (one audit entry per device), whatever the number of instances answering it.
 */
export async function markWipeTold(db: Kysely<Database>, deviceId: string, now = new Date()): Promise<boolean> {
  const result = await db
    .updateTable('devices')
    .set({ wipe_told_at: now.toISOString() })
    .where('id', '=', deviceId)
    .where('revoked_at', 'is not', null)
    .where('wipe_told_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Record what the device reported; captured-through only ever rises. Returns the captured-through held. */
export async function recordDeviceTotals(db: Kysely<Database>, deviceId: string, totals: DeviceTotals, now = new Date()): Promise<number> {
  const reported = totals.capturedThrough;
  const row = await db
    .updateTable('devices')
    .set((eb) => ({
      last_sync_at: now.toISOString(),
      // CASE rather than max()/greatest(): the same SQL on SQLite and PostgreSQL, and atomic.
      captured_through: eb.case().when('captured_through', '<', reported).then(reported).else(eb.ref('captured_through')).end(),
      waiting: totals.waiting,
      ...reportColumns(totals),
    }))
    .where('id', '=', deviceId)
    .returning('captured_through')
    .executeTakeFirstOrThrow();
  return Number(row.captured_through);
}

function reportColumns(report: DeviceReport | undefined) {
  return {
    ...(report && { app_version: report.appVersion }),
    ...(report?.storage && {
      storage_usage: Math.round(report.storage.usage),
      storage_quota: Math.round(report.storage.quota),
      storage_persisted: report.storage.persisted ? 1 : 0,
    }),
  };
}

/** How many of the device's signatures the server holds. */
export async function countReceived(db: Kysely<Database>, deviceId: string): Promise<number> {
  const { n } = await db
    .selectFrom('signatures')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('device_id', '=', deviceId)
    .executeTakeFirstOrThrow();
  return Number(n);
}

/** Rename a device of this drive; false when the drive has no such device. */
export async function renameDevice(db: Kysely<Database>, driveId: string, deviceId: string, name: string): Promise<boolean> {
  const result = await db.updateTable('devices').set({ name }).where('id', '=', deviceId).where('drive_id', '=', driveId).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Revoke a device of this drive: its token stops working (403). Revoking twice keeps the first time. */
export async function revokeDevice(db: Kysely<Database>, driveId: string, deviceId: string, now = new Date()): Promise<boolean> {
  const device = await db.selectFrom('devices').select('revoked_at').where('id', '=', deviceId).where('drive_id', '=', driveId).executeTakeFirst();
  if (!device) return false;
  if (device.revoked_at === null) await db.updateTable('devices').set({ revoked_at: now.toISOString() }).where('id', '=', deviceId).execute();
  return true;
}
