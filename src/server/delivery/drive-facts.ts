// What the delivery needs to know of the drive: title, recipient, cover letter, time zone and its
// petition texts. Read once at the start of a build.
import type { Kysely } from 'kysely';
import { DEFAULT_TIME_ZONE, isTimeZone, localDay } from '../../shared/local-day';
import type { Database } from '../db/schema';
import { DeliveryError } from './delivery-error';

export interface PetitionVersionFacts {
  version: string;
  language: string;
  title: string;
  text: string;
  createdAt: string;
}

export interface DriveFacts {
  id: string;
  title: string;
  recipient: string | null;
  coverLetter: string | null;
  timeZone: string;
  /** The drive's local day of a UTC timestamp (localDayOf). */
  dayOf: (isoUtc: string) => string;
  /** Every text the drive has had, oldest first. */
  versions: PetitionVersionFacts[];
}

/** The drive's time zone (its `time_zone` column), or the default where it names no zone this runtime knows. */
export function driveTimeZone(drive: object): string {
  const zone = (drive as { time_zone?: unknown }).time_zone;
  return typeof zone === 'string' && isTimeZone(zone) ? zone : DEFAULT_TIME_ZONE;
}

export async function driveFacts(db: Kysely<Database>, driveId: string): Promise<DriveFacts> {
  const drive = await db.selectFrom('drives').selectAll().where('id', '=', driveId).executeTakeFirst();
  if (!drive) throw new DeliveryError('drive_not_found', 'There is no such drive.');
  const versions = await db
    .selectFrom('petition_versions')
    .select(['version', 'language', 'title', 'text', 'created_at'])
    .where('drive_id', '=', driveId)
    .orderBy('created_at')
    .orderBy('version')
    .execute();
  return {
    id: drive.id,
    title: drive.title,
    recipient: drive.recipient,
    coverLetter: drive.cover_letter,
    timeZone: driveTimeZone(drive),
    dayOf: localDayOf(driveTimeZone(drive)),
    versions: versions.map((v) => ({ version: v.version, language: v.language, title: v.title, text: v.text, createdAt: v.created_at })),
  };
}

/** Minutes remembered at most: a month of signing (100,000 remembered were about 10 MB of a build's heap). */
const MAX_REMEMBERED_MINUTES = 50_000;

/**
 * localDay, remembered per minute of the timestamp (every zone's offset is whole minutes): a build
 * asks for the day of each signature several times, and Intl's formatter costs microseconds a call.
 */
export function localDayOf(timeZone: string): (isoUtc: string) => string {
  const days = new Map<string, string>();
  return (isoUtc) => {
    const minute = isoUtc.slice(0, 16);
    let day = days.get(minute);
    if (day === undefined) {
      day = localDay(isoUtc, timeZone);
      if (days.size >= MAX_REMEMBERED_MINUTES) days.clear();
      days.set(minute, day);
    }
    return day;
  };
}
