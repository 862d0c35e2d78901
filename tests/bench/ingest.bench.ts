// The server alone: sealed 500-record batches over real HTTP to the real server process (auth, the
// shared schema, digests, filing, receipt), against raw better-sqlite3 prepared inserts of the same rows
// in transactions of the same size, with the server's own schema and pragmas. One client sending batches
// one after another measures the round trip and the client as much as the server: the server's own
// cost against raw SQLite is `ingest_cpu_vs_raw_sqlite` in rush.bench.ts (CPU per signature, 8 tablets).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { openDatabase } from '../../src/server/db/connect';
import { migrateToLatest } from '../../src/server/db/migrations';
import { API, MAX_BATCH_RECORDS, PROTOCOL_VERSION, type BatchRequest, type BatchResponse } from '../../src/shared/protocol';
import type { SignatureRecord } from '../../src/shared/schema';
import { median, type Bench } from './metric';
import { enrollOverHttp, rawSignatureInserter, sealedRecords, startBenchServer, type EnrolledDevice } from './support/bench-server';

const RECORDS = 20_000;
const WARMUP_BATCHES = 2;

async function sendBatches(url: string, device: EnrolledDevice, bodies: string[]): Promise<number> {
  const t0 = performance.now();
  for (const body of bodies) {
    const response = await fetch(`${url}${API.batches}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${device.token}` },
      body,
    });
    if (!response.ok) throw new Error(`batch refused: ${response.status} ${await response.text()}`);
    const answer = (await response.json()) as BatchResponse;
    if (answer.results.some((r) => r.status !== 'stored'))
      throw new Error(`not all stored: ${JSON.stringify(answer.results.find((r) => r.status !== 'stored'))}`);
  }
  return performance.now() - t0;
}

function batchBodies(records: SignatureRecord[]): string[] {
  const bodies: string[] = [];
  for (let i = 0; i < records.length; i += MAX_BATCH_RECORDS) {
    const batch = records.slice(i, i + MAX_BATCH_RECORDS);
    const request: BatchRequest = {
      protocol: PROTOCOL_VERSION,
      records: batch,
      totals: { capturedThrough: batch[batch.length - 1]!.seq, waiting: records.length - i - batch.length, appVersion: 'bench' },
    };
    bodies.push(JSON.stringify(request));
  }
  return bodies;
}

/** The same rows straight into the server's schema: prepared statement, 500 rows a transaction. */
async function rawSqlite(records: SignatureRecord[], device: EnrolledDevice): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldpen-bench-raw-'));
  try {
    const file = join(dir, 'raw.sqlite');
    const handle = openDatabase({ file });
    await migrateToLatest(handle.db);
    await handle.close();
    const db = new BetterSqlite3(file);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const now = new Date().toISOString();
    db.prepare('insert into drives (id, title, goal, created_at) values (?, ?, ?, ?)').run(device.driveId, 'Bench', 1000, now);
    db.prepare('insert into petition_versions (version, drive_id, language, title, text, created_at) values (?, ?, ?, ?, ?, ?)').run(
      device.petitionVersion,
      device.driveId,
      'en',
      'T',
      'X',
      now,
    );
    db.prepare('insert into devices (id, drive_id, name, token_hash, enrolled_at) values (?, ?, ?, ?, ?)').run(
      device.deviceId,
      device.driveId,
      'Bench',
      'h',
      now,
    );
    const insertBatch = rawSignatureInserter(db);
    const t0 = performance.now();
    for (let i = 0; i < records.length; i += MAX_BATCH_RECORDS) insertBatch(records.slice(i, i + MAX_BATCH_RECORDS));
    const ms = performance.now() - t0;
    db.close();
    return ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const bench: Bench = async (log) => {
  const server = await startBenchServer();
  try {
    const device = await enrollOverHttp(server.url, server.enrollmentCode);
    const warmup = await sealedRecords(device, WARMUP_BATCHES * MAX_BATCH_RECORDS);
    const records = await sealedRecords(device, RECORDS, warmup.length + 1);
    await sendBatches(server.url, device, batchBodies(warmup));
    const bodies = batchBodies(records);
    const cpuBefore = server.cpuMs();
    const clientBefore = process.cpuUsage();
    const oursMs = await sendBatches(server.url, device, bodies);
    const serverCpuMs = server.cpuMs() - cpuBefore;
    const client = process.cpuUsage(clientBefore);
    // Fastify's own log: from the request's arrival to its answer, as the server saw it.
    const handled = [...server.output().matchAll(/"responseTime":([\d.]+)/g)].map((m) => Number(m[1])).slice(-bodies.length);
    const rawMs = await rawSqlite(records, device);
    const ours = (records.length / oursMs) * 1000;
    const raw = (records.length / rawMs) * 1000;
    log({
      metric: 'ingest_signatures_per_s',
      value: Math.round(ours),
      unit: 'signatures/s',
      baseline: Math.round(raw),
      goal: 'report',
      records: records.length,
      batch: MAX_BATCH_RECORDS,
      ms_per_batch: +(oursMs / (records.length / MAX_BATCH_RECORDS)).toFixed(1),
      // The server's own CPU time: what our code costs, apart from waiting for a busy machine's scheduler.
      server_cpu_ms_per_batch: +(serverCpuMs / bodies.length).toFixed(1),
      server_cpu_bound_per_s: Math.round((records.length / Math.max(serverCpuMs, 1)) * 1000),
      server_handling_ms_median: +median(handled).toFixed(1),
      client_cpu_ms_per_batch: +((client.user + client.system) / 1000 / bodies.length).toFixed(1),
      baseline_is: 'raw better-sqlite3 prepared inserts, same rows, 500 a transaction',
    });
  } finally {
    await server.stop();
  }
};
export default bench;
