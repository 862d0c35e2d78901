// The delivery package at scale (issue 10): 25,000 signatures in SQLite → finished ZIP (both PDFs,
// the CSVs, the bag), against reading the same rows with their autographs; the ZIP's bytes per
// signature against the rows' own bytes in the database; and the build's peak memory at 100,000
// signatures, against reading those rows. Each runs as the delivery job runs it: plain JavaScript
// (nodeBundle) in a worker thread with the job's resource limits, in a process of its own that does
// nothing else (support/delivery-child-host.mjs), so its peak memory is Node's plus the worker's. As
// on the server, the organizer's unlock (scrypt: 128 MiB for about a second) happens before, in
// another process (here this one), and the worker gets the drive's raw private key: with the unlock in
// the measured process, the build and the read alike peaked at 221 MB, whatever the build did.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../src/server/db/connect';
import { migrateToLatest } from '../../src/server/db/migrations';
import { WORKER_RESOURCE_LIMITS } from '../../src/server/delivery/job-runner';
import { nodeBundle } from '../../src/server/delivery/worker-script';
import { exportDrivePrivateKey } from '../../src/shared/signer-seal';
import { seedDeliveryDrive, unlockDeliveryDrive } from '../support/delivery-drive';
import type { Metric } from './metric';

const SMALL = Number(process.env.BENCH_DELIVERY_SIGNATURES ?? 25_000);
const LARGE = Number(process.env.BENCH_DELIVERY_LARGE ?? 100_000);
const child = fileURLToPath(new URL('./support/delivery-child.ts', import.meta.url));
const openerThread = fileURLToPath(new URL('../../src/server/delivery/opener-thread.ts', import.meta.url));
const host = fileURLToPath(new URL('./support/delivery-child-host.mjs', import.meta.url));

interface ChildRun {
  seconds: number;
  heapMb: number;
  externalMb: number;
  cpuSeconds: number;
  peakRssMb: number;
  signatures?: number;
  bytes?: number;
  /** Of `seconds`, the selection: reading and opening every record. */
  selectionSeconds?: number;
  rows?: number;
  chars?: number;
}

async function run(drive: Seeded, outDir: string, mode: 'build' | 'read'): Promise<ChildRun> {
  const [script, openerScript] = await Promise.all([nodeBundle(child), nodeBundle(openerThread)]);
  const out = execFileSync(process.execPath, [host, script, openerScript, JSON.stringify(WORKER_RESOURCE_LIMITS), drive.file, drive.driveId, outDir, mode], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    // The drive's private key on the host's stdin (never its arguments), for the worker's data, as the job gets it.
    input: Buffer.from(drive.rawKey).toString('hex'),
  });
  return JSON.parse(out.trim().split('\n').pop()!) as ChildRun;
}

interface Seeded {
  file: string;
  driveId: string;
  /** The drive's private key, unlocked with its passphrase here, as the request thread does before a build. */
  rawKey: Uint8Array;
}

async function seeded(dir: string, signatures: number): Promise<Seeded> {
  const file = join(dir, `drive-${signatures}.sqlite`);
  const database = openDatabase({ file });
  await migrateToLatest(database.db);
  const { driveId } = await seedDeliveryDrive(database.db, { signatures, repeatEvery: 50, voidEvery: 97, assistedEvery: 40, devices: 20, keep: false });
  const rawKey = await exportDrivePrivateKey(await unlockDeliveryDrive(database.db, driveId));
  await database.close();
  return { file, driveId, rawKey };
}

export default async function bench(log: (m: Metric) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldpen-delivery-bench-'));
  try {
    const small = await seeded(dir, SMALL);
    const read = await run(small, join(dir, 'read'), 'read');
    const built = await run(small, join(dir, 'out-small'), 'build');
    log({
      metric: 'delivery_25k_s',
      value: round(built.seconds),
      unit: 's',
      baseline: round(read.seconds),
      goal: '<= 15',
      signatures: built.signatures,
      selectionSeconds: round(built.selectionSeconds!),
      cpuSeconds: round(built.cpuSeconds),
      baselineCpuSeconds: round(read.cpuSeconds),
      note: 'baseline: reading the same rows with their autographs; CPU seconds include loading the code',
    });
    const rowBytes = read.chars! / read.rows!;
    log({
      metric: 'delivery_bytes_per_signature',
      value: Math.round(built.bytes! / built.signatures!),
      unit: 'B',
      baseline: Math.round(rowBytes),
      goal: '<= 800',
      signatures: built.signatures,
      note: 'baseline: the encoded autograph alone, as stored',
    });

    const large = await seeded(dir, LARGE);
    const readLarge = await run(large, join(dir, 'read-large'), 'read');
    const builtLarge = await run(large, join(dir, 'out-large'), 'build');
    log({
      metric: 'delivery_100k_peak_rss_mb',
      value: Math.round(builtLarge.peakRssMb),
      unit: 'MB',
      baseline: Math.round(readLarge.peakRssMb),
      goal: '<= 200',
      signatures: builtLarge.signatures,
      seconds: round(builtLarge.seconds),
      peak_heap_mb: builtLarge.heapMb,
      peak_external_mb: builtLarge.externalMb,
      limits: WORKER_RESOURCE_LIMITS,
      note: 'baseline: the same worker, code loaded, reading the same rows',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (x: number) => Math.round(x * 100) / 100;
