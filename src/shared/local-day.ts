// A drive's days are the organizer's days, not UTC's: a signature taken at 8 pm in Ohio belongs to
// that evening, on the dashboard, in the tallies and in the delivery's counts alike.

/** The IANA zone a drive uses until its organizer picks one. */
export const DEFAULT_TIME_ZONE = 'America/New_York';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    // en-CA writes dates as YYYY-MM-DD.
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True for a zone name this runtime knows (e.g. `America/Chicago`). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

const daysOfMinutes = new Map<string, string>();
const MAX_REMEMBERED_MINUTES = 10_000;

/** The calendar day (YYYY-MM-DD) in `timeZone` of a UTC ISO-8601 timestamp. */
export function localDay(isoUtc: string, timeZone: string): string {
  // Every zone's offset is whole minutes, so a UTC minute falls on one local day: remember it. A
  // batch's signatures share a few minutes, and Intl's formatting was 2% of filing a batch.
  if (!isoUtc.endsWith('Z') || isoUtc.length < 17) return formatterFor(timeZone).format(new Date(isoUtc));
  const key = `${timeZone} ${isoUtc.slice(0, 16)}`;
  let day = daysOfMinutes.get(key);
  if (day === undefined) {
    day = formatterFor(timeZone).format(new Date(isoUtc));
    if (daysOfMinutes.size >= MAX_REMEMBERED_MINUTES) daysOfMinutes.clear();
    daysOfMinutes.set(key, day);
  }
  return day;
}
