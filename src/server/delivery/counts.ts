// data/counts.csv: delivered signatures per state, city and day (the drive's local day), with a
// total per state and in all, so a recipient can check a figure without opening the sheets.
import { CsvWriter } from './csv';
import type { PackagePlan } from './selection';

export interface CountRow {
  state: string;
  city: string;
  day: string;
  signatures: number;
}

/** The package's tallies as sorted rows. */
export function countRows(plan: PackagePlan): CountRow[] {
  return [...plan.tallies.entries()]
    .map(([key, signatures]) => {
      const [state, city, day] = key.split('\t') as [string, string, string];
      return { state, city, day, signatures };
    })
    .sort((a, b) => cmp(a.state, b.state) || cmp(a.city, b.city) || cmp(a.day, b.day));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Per state, sorted. */
export function perState(plan: PackagePlan): { state: string; signatures: number }[] {
  const totals = new Map<string, number>();
  for (const row of countRows(plan)) totals.set(row.state, (totals.get(row.state) ?? 0) + row.signatures);
  return [...totals.entries()].sort(([a], [b]) => cmp(a, b)).map(([state, signatures]) => ({ state, signatures }));
}

/** Per state and city, sorted. */
export function perCity(plan: PackagePlan): { state: string; city: string; signatures: number }[] {
  const totals = new Map<string, number>();
  for (const row of countRows(plan)) {
    const key = `${row.state}\t${row.city}`;
    totals.set(key, (totals.get(key) ?? 0) + row.signatures);
  }
  return [...totals.entries()].map(([key, signatures]) => {
    const [state, city] = key.split('\t') as [string, string];
    return { state, city, signatures };
  });
}

export async function writeCountsCsv(file: string, plan: PackagePlan): Promise<void> {
  const csv = new CsvWriter(file, ['state', 'city', 'day', 'signatures']);
  for (const row of countRows(plan)) await csv.row([row.state, row.city, row.day, row.signatures]);
  for (const row of perState(plan)) await csv.row([row.state, '(all cities)', '(all days)', row.signatures]);
  await csv.row(['(all states)', '(all cities)', '(all days)', plan.signatures]);
  await csv.end();
}
