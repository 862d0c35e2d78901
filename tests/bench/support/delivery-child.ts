// One delivery build (or, as the baseline, one read of the same rows), run by delivery-child-host.mjs
// in a worker thread with the limits the delivery job's worker gets, as plain JavaScript like that
// worker (bundled by nodeBundle): posts {seconds, cpuSeconds, ...} to the host, which adds the
// process's peak memory (CPU seconds include loading the code; they say more than wall time on a
// shared machine).
import { mkdirSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../../../src/server/db/connect';
import { buildDelivery } from '../../../src/server/delivery/build';
import { signatureRows } from '../../../src/server/delivery/signature-rows';
import { importDrivePrivateKey } from '../../../src/shared/signer-seal';

const { file, driveId, outDir, mode, driveKey, openerScript } = workerData as {
  file: string;
  driveId: string;
  outDir: string;
  mode: 'build' | 'read';
  driveKey: Uint8Array;
  openerScript: string;
};
// Where the peak goes: the worker's V8 heap, and memory outside it (buffers, the font files).
const peak = { heapMb: 0, externalMb: 0 };
const sample = () => {
  const m = process.memoryUsage();
  peak.heapMb = Math.max(peak.heapMb, Math.round(m.heapTotal / 1048576));
  peak.externalMb = Math.max(peak.externalMb, Math.round(m.external / 1048576));
};
const sampler = setInterval(sample, 100);
const database = openDatabase({ file });
// The organizer's unlock came before, in another process, as on the server (job-worker.ts): not part of what is measured.
const key = await importDrivePrivateKey(driveKey);
driveKey.fill(0);
const started = performance.now();
let detail: Record<string, unknown>;
let selectionSeconds: number | undefined;
if (mode === 'build') {
  mkdirSync(outDir, { recursive: true });
  const result = await buildDelivery(
    database.db,
    driveId,
    { fields: { street: true, email: false }, perState: false },
    {
      key,
      outDir,
      openerScript,
      // The first progress comes once the selection (reading and opening every record) is done.
      onProgress: () => (selectionSeconds ??= (performance.now() - started) / 1000),
    },
  );
  detail = { signatures: result.counts.signatures, bytes: result.packages.reduce((n, p) => n + p.bytes, 0), selectionSeconds };
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
clearInterval(sampler);
sample();
parentPort!.postMessage({ ...peak, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, ...detail });
