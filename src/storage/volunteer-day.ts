// The volunteer's own day: today's list and striking a signature from it. Only the Today screen
// uses these, so they load with it, not with the signer form.
import { liveQuery, type Observable } from 'dexie';
import { check, VoidNoticeSchema } from '../shared/schema';
import { deviceDb, type DeviceSignature } from './device-db';
import { InvalidSignatureError } from './errors';
import { startOfToday } from './signatures';

/**
 * Strike a signature, with the volunteer's reason. Reads only the row's clear fields (the signer is sealed). Its sequence number stays taken and the void is
 * synced as a change of state; striking it again changes nothing.
 */
export async function voidSignature(id: string, reason: string, now: Date = new Date()): Promise<DeviceSignature> {
  const db = deviceDb();
  return db.transaction('rw', db.signatures, async () => {
    const row = await db.signatures.get(id);
    if (!row) throw new RangeError('That signature is not on this tablet.');
    if (row.state === 'voided') return row;
    if (row.state === 'purged') throw new RangeError('That signature has already been removed from this tablet.');
    const notice = check(VoidNoticeSchema, { id, seq: row.seq, reason, voidedAt: now.toISOString() });
    if (!notice.ok) throw new InvalidSignatureError(notice.problems);
    const voided: DeviceSignature = { ...row, state: 'voided', void: { reason: notice.value.reason, at: notice.value.voidedAt } };
    await db.signatures.put(voided);
    return voided;
  });
}

/** What today's list shows of a signature: of the signer only their initials and city, never a name. */
export interface TodayEntry {
  id: string;
  seq: number;
  capturedAt: string;
  /** "A. S." (empty for a row that has none). */
  initials: string;
  city: string;
  state: DeviceSignature['state'];
  rejection?: DeviceSignature['rejection'];
  void?: DeviceSignature['void'];
  assisted: boolean;
}

/** Today's signatures on this device, newest first. */
export function todaySignatures$(): Observable<TodayEntry[]> {
  return liveQuery(async () => {
    const rows = await deviceDb().signatures.where('capturedAt').aboveOrEqual(startOfToday()).reverse().toArray();
    return rows.map((r) => ({
      id: r.id,
      seq: r.seq,
      capturedAt: r.capturedAt,
      initials: r.initials ?? '',
      city: r.place?.city ?? '',
      state: r.state,
      ...(r.rejection ? { rejection: r.rejection } : {}),
      ...(r.void ? { void: r.void } : {}),
      assisted: r.assisted !== undefined,
    }));
  });
}
