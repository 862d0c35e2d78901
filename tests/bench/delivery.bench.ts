// The delivery package at scale (issue 10): 25,000 signatures in SQLite → finished ZIP (both PDFs,
// the CSVs, the bag), against reading the same rows with their autographs; the ZIP's bytes per
// signature against the rows' own bytes in the database; and the build's peak memory at 100,000
// signatures, against reading those rows. Each runs as the delivery job runs it: plain JavaScript
// (nodeBundle) in a worker thread with the job's resource limits, in a process of its own that does
// nothing else (support/delivery-child-host.mjs), so its peak memory is Node's plus the worker's.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../src/server/db/connect';
import { migrateToLatest } from '../../src/server/db/migrations';
import { WORKER_RESOURCE_LIMITS } from '../../src/server/delivery/job-runner';
import { nodeBundle } from '../../src/server/delivery/worker-script';
import { seedDeliveryDrive } from '../support/delivery-drive';
import type { Metric } from './metric';

const SMALL = Number(process.env.BENCH_DELIVERY_SIGNATURES ?? 25_000);
const LARGE = Number(process.env.BENCH_DELIVERY_LARGE ?? 100_000);
const child = fileURLToPath(new URL('./support/delivery-child.ts', import.meta.url));
const host = fileURLToPath(new URL('./support/delivery-child-host.mjs', import.meta.url));

interface ChildRun {
  seconds: number;
  heapMb: number;
  externalMb: number;
  cpuSeconds: number;
  peakRssMb: number;
  signatures?: number;
  bytes?: number;
  rows?: number;
  chars?: number;
}

async function run(file: string, driveId: string, outDir: string, mode: 'build' | 'read'): Promise<ChildRun> {
  const script = await nodeBundle(child);
  const out = execFileSync(process.execPath, [host, script, JSON.stringify(WORKER_RESOURCE_LIMITS), file, driveId, outDir, mode], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').pop()!) as ChildRun;
}

async function seeded(dir: string, signatures: number): Promise<{ file: string; driveId: string }> {
  const file = join(dir, `drive-${signatures}.sqlite`);
  const database = openDatabase({ file });
  await migrateToLatest(database.db);
  const { driveId } = await seedDeliveryDrive(database.db, { signatures, repeatEvery: 50, voidEvery: 97, assistedEvery: 40, devices: 20, keep: false });
  await database.close();
  return { file, driveId };
}

export default async function bench(log: (m: Metric) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldpen-delivery-bench-'));
  try {
    const small = await seeded(dir, SMALL);
    const read = await run(small.file, small.driveId, join(dir, 'read'), 'read');
    const built = await run(small.file, small.driveId, join(dir, 'out-small'), 'build');
    log({
      metric: 'delivery_25k_s',
      value: round(built.seconds),
      unit: 's',
      baseline: round(read.seconds),
      goal: '<= 15',
      signatures: built.signatures,
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
    const readLarge = await run(large.file, large.driveId, join(dir, 'read-large'), 'read');
    const builtLarge = await run(large.file, large.driveId, join(dir, 'out-large'), 'build');
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
