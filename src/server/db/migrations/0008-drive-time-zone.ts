// A drive's days are its organizer's days, not UTC's. Drives get a time zone, and the
// dashboard's tallies, counted by UTC day until now, are counted again by the drive's local day.
// Frozen code: a migration runs on databases of every age, so it imports nothing of the live code
// (the day arithmetic below is a copy of src/shared/local-day.ts as it was when this shipped).
import { sql, type Kysely, type Migration } from 'kysely';

/** The zone every existing drive gets; the organizer changes it in the drive's settings. */
const ZONE_OF_EXISTING_DRIVES = 'America/New_York';

const TALLY_COLUMNS = ['drive_id', 'device_id', 'day', 'volunteer', 'city', 'state', 'petition_version', 'language'] as const;
const ROWS_PER_STATEMENT = 200;

function dayIn(timeZone: string): (isoUtc: string) => string {
  // en-CA writes dates as YYYY-MM-DD.
  const format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  return (isoUtc) => format.format(new Date(isoUtc));
}

interface MinuteGroup {
  drive_id: string;
  device_id: string;
  /** `YYYY-MM-DDTHH:MM` of a UTC timestamp, or the whole timestamp when it carries an offset. */
  minute: string;
  volunteer: string;
  city: string;
  state: string;
  petition_version: string;
  language: string;
  n: number | string;
}

export const driveTimeZone: Migration = {
  // A migration sees the schema of its own time, not today's Database type.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async up(db: Kysely<any>) {
    await db.schema
      .alterTable('drives')
      .addColumn('time_zone', 'text', (c) => c.notNull().defaultTo(ZONE_OF_EXISTING_DRIVES))
      .execute();
    const drives = (await db.selectFrom('drives').select(['id', 'time_zone']).execute()) as { id: string; time_zone: string }[];
    await db.deleteFrom('signature_tallies').execute();
    for (const drive of drives) {
      // Grouped by the minute in SQL (every zone's offset is whole minutes), by the day in JS.
      const groups = (
        await sql<MinuteGroup>`
          SELECT drive_id, device_id, CASE WHEN captured_at LIKE '%Z' THEN substr(captured_at, 1, 16) ELSE captured_at END AS minute,
                 volunteer, city, state, petition_version, language, count(*) AS n
          FROM signatures WHERE drive_id = ${drive.id}
          GROUP BY drive_id, device_id, CASE WHEN captured_at LIKE '%Z' THEN substr(captured_at, 1, 16) ELSE captured_at END,
                   volunteer, city, state, petition_version, language`.execute(db)
      ).rows;
      const day = dayIn(drive.time_zone);
      const tallies = new Map<string, Record<(typeof TALLY_COLUMNS)[number], string> & { signatures: number }>();
      for (const g of groups) {
        const at = g.minute.length === 16 ? `${g.minute}:00Z` : g.minute;
        const row = {
          drive_id: g.drive_id,
          device_id: g.device_id,
          day: day(at),
          volunteer: g.volunteer,
          city: g.city,
          state: g.state,
          petition_version: g.petition_version,
          language: g.language,
        };
        const key = JSON.stringify(TALLY_COLUMNS.map((c) => row[c]));
        const tally = tallies.get(key) ?? { ...row, signatures: 0 };
        tally.signatures += Number(g.n);
        tallies.set(key, tally);
      }
      const rows = [...tallies.values()];
      for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
        await db
          .insertInto('signature_tallies')
          .values(rows.slice(i, i + ROWS_PER_STATEMENT))
          .execute();
      }
    }
  },

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async down(db: Kysely<any>) {
    await db.deleteFrom('signature_tallies').execute();
    await sql`INSERT INTO signature_tallies (drive_id, device_id, day, volunteer, city, state, petition_version, language, signatures)
      SELECT drive_id, device_id, substr(captured_at, 1, 10), volunteer, city, state, petition_version, language, count(*)
      FROM signatures GROUP BY drive_id, device_id, substr(captured_at, 1, 10), volunteer, city, state, petition_version, language`.execute(db);
    await db.schema.alterTable('drives').dropColumn('time_zone').execute();
  },
};
