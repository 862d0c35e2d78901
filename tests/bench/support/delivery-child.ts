// One delivery build (or, as the baseline, one read of the same rows) in a process of its own, so
// the benchmark can read its peak memory: prints {seconds, cpuSeconds, peakRssMb, ...} as one JSON
// line (CPU seconds include loading the code; they say more than wall time on a shared machine).
import { mkdirSync } from 'node:fs';
import { openDatabase } from '../../../src/server/db/connect';
import { buildDelivery } from '../../../src/server/delivery/build';
import { signatureRows } from '../../../src/server/delivery/signature-rows';
import { unlockDeliveryDrive } from '../../support/delivery-drive';

const [file, driveId, outDir, mode] = process.argv.slice(2) as [string, string, string, 'build' | 'read'];
const database = openDatabase({ file });
// The organizer's unlock comes before the build, as on the server: not part of what is timed.
const key = await unlockDeliveryDrive(database.db, driveId);
const started = performance.now();
let detail: Record<string, unknown>;
if (mode === 'build') {
  mkdirSync(outDir, { recursive: true });
  const result = await buildDelivery(database.db, driveId, { fields: { street: true, email: false }, perState: false }, { key, outDir });
  detail = { signatures: result.counts.signatures, bytes: result.packages.reduce((n, p) => n + p.bytes, 0) };
} else {
  let rows = 0;
  let chars = 0;
  for await (const row of signatureRows(database.db, driveId, { key, asOf: new Date().toISOString(), withAutograph: true })) {
    rows++;
    chars += row.autograph!.length;
  }
  detail = { rows, chars };
}
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage();
await database.close();
console.log(JSON.stringify({ seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRssMb: process.resourceUsage().maxRSS / 1024, ...detail }));
