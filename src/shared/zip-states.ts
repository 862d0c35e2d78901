// Which state a ZIP code belongs to, by its first three digits (USPS prefix ranges). Compact on
// purpose: it ships in the volunteer's first load. Military (AA/AE/AP) and unassigned prefixes map to
// nothing, and a ZIP with no known state is not contradicted.

// Each entry: the first prefix of a run, then the state(s) it belongs to until the next entry; `--`
// is no state. 967 holds American Samoa's 96799 beside Hawaii; 969 holds Guam and the Northern
// Mariana Islands.
const RUNS =
  '000--005NY006PR008VI009PR010MA028RI030NH039ME050VT055MA056VT060CT070NJ090--100NY150PA197DE200DC201VA' +
  '202DC206MD220VA247WV270NC290SC300GA320FL340--341FL350AL370TN386MS398GA400KY430OH460IN480MI500IA530WI' +
  '550MN569DC570SD580ND590MT600IL630MO660KS680NE700LA716AR730OK733TX734OK750TX800CO820WY832ID840UT850AZ' +
  '870NM885TX889NV900CA962--967HI/AS969GU/MP970OR980WA995AK';

let table: { start: number; states: string[] }[] | undefined;

function runs(): { start: number; states: string[] }[] {
  table ??= [...RUNS.matchAll(/(\d{3})([A-Z/-]+)/g)].map((m) => ({
    start: Number(m[1]),
    states: m[2] === '--' ? [] : m[2]!.split('/'),
  }));
  return table;
}

/** The states a ZIP code's prefix belongs to; empty when none is known (military, unassigned, malformed). */
export function statesForZip(zip: string): readonly string[] {
  const prefix = /^(\d{3})\d{2}/.exec(zip.trim())?.[1];
  if (prefix === undefined) return [];
  const n = Number(prefix);
  let found: string[] = [];
  for (const run of runs()) {
    if (run.start > n) break;
    found = run.states;
  }
  return found;
}

/** False only when the ZIP's prefix is known to belong to other states than `state`. */
export function zipMatchesState(zip: string, state: string): boolean {
  const states = statesForZip(zip);
  return states.length === 0 || states.includes(state.trim().toUpperCase());
}
