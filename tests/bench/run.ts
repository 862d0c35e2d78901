// `npm run bench [-- filter]`: runs every tests/bench/*.bench.ts (or those whose name contains the
// filter; a bench's exact name runs it alone) one after another and prints one JSON object per line. Not part of `npm test`.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureChromium } from '../ensure-chromium.mjs';
import type { Bench, Metric } from './metric';

ensureChromium(); // the browser benchmarks drive Debian's Chromium

const dir = fileURLToPath(new URL('.', import.meta.url));
const filter = process.argv[2] ?? '';
const all = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort();
// A name that is a whole bench runs that bench alone (`sync` is not also `delivery-sync`).
const exact = all.filter((f) => f === `${filter}.bench.ts`);
const files = exact.length > 0 ? exact : all.filter((f) => f.includes(filter));
if (files.length === 0) {
  console.error(`No benchmark matches "${filter}".`);
  process.exit(1);
}
let failed = false;
for (const file of files) {
  const bench = (await import(pathToFileURL(`${dir}/${file}`).href)).default as Bench;
  try {
    await bench((m: Metric) => console.log(JSON.stringify({ ...m, bench: file.replace('.bench.ts', '') })));
  } catch (e) {
    failed = true;
    console.error(`${file} failed:`, e);
  }
}
process.exit(failed ? 1 : 0);
