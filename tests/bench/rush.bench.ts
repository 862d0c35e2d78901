// The day's-end rush: 100 tablets of 2,000 signatures each (RUSH_TABLETS, RUSH_SIGNATURES) start
// syncing within the same minute through a round-robin proxy (no sticky sessions) to two server
// instances on one throwaway PostgreSQL — and, for comparison, to one instance on SQLite. 5% of batch
// answers are dropped after the server committed (the tablet resends), some batches are delivered twice,
// tablets pause at random, and one instance is restarted (SIGTERM, then started again) mid-rush. At
// the end the database must hold every signature exactly once and every tablet's receipt must say
// complete: anything else fails the bench. Then the server's CPU per signature with 8 tablets sending
// at once, against raw better-sqlite3 inserts of the same rows in same-size transactions.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { sql } from 'kysely';
import { openDatabase } from '../../src/server/db/connect';
import { migrateToLatest } from '../../src/server/db/migrations';
import { CSRF_HEADER, LEAD_API } from '../../src/shared/lead-api';
import { API, MAX_BATCH_RECORDS, PROTOCOL_VERSION, type BatchResponse, type EnrollResponse } from '../../src/shared/protocol';
import type { SignatureRecord } from '../../src/shared/schema';
import { startCluster, type Cluster } from '../postgres/cluster';
import { freePort, startServer, type ServerProcess } from '../support/server-process';
import { median, percentile, type Bench } from './metric';
import { processCpuMs, rawSignatureInserter, sealedRecords, type EnrolledDevice } from './support/bench-server';
import { startRushProxy } from './support/rush-proxy';
import type { BatchTiming, TabletOutcome, TabletsConfig, ToParent } from './support/rush-tablets';

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const TABLETS = num('RUSH_TABLETS', 100);
const SIGNATURES = num('RUSH_SIGNATURES', 2_000);
const PROCESSES = Math.max(num('RUSH_PROCESSES', 4), Math.ceil(TABLETS / 100));
const START_SPREAD_MS = num('RUSH_START_SPREAD_S', 30) * 1000;
const DEADLINE_MS = num('RUSH_DEADLINE_S', 900) * 1000;
/** Restart an instance once this share of the signatures is confirmed. */
const RESTART_AT = 0.4;
const DROP_ANSWERS = 0.05;
const DUPLICATES = 0.03;
const DASHBOARD_EVERY_MS = 1_000;
const QUIET_BATCHES = 6;
const CPU_TABLETS = 8;
const CPU_SIGNATURES = num('RUSH_CPU_SIGNATURES', 2_500);
const TABLETS_SCRIPT = fileURLToPath(new URL('./support/rush-tablets.ts', import.meta.url));

type Kind = 'postgres' | 'sqlite';

interface Lead {
  cookie: string;
  csrf: string;
  driveId: string;
}

async function signInOrganizer(url: string, output: string): Promise<{ cookie: string; csrf: string }> {
  const password = /one-time password:\s*(\S+)/.exec(output)?.[1];
  if (!password) throw new Error('the first instance printed no organizer password');
  const r = await fetch(`${url}${LEAD_API.session}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'organizer@example.org', password }),
  });
  if (r.status !== 201) throw new Error(`sign-in: ${r.status} ${await r.text()}`);
  const body = (await r.json()) as { csrfToken: string };
  return { cookie: r.headers.get('set-cookie')!.split(';')[0]!, csrf: body.csrfToken };
}

async function newCode(url: string, lead: Lead, uses: number): Promise<string> {
  const r = await fetch(`${url}${LEAD_API.codes(lead.driveId)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: lead.cookie, [CSRF_HEADER]: lead.csrf },
    body: JSON.stringify({ uses, hours: 4 }),
  });
  if (r.status !== 201) throw new Error(`new code: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { code: string }).code;
}

async function enroll(url: string, code: string): Promise<EnrolledDevice> {
  const r = await fetch(`${url}${API.enroll}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ protocol: PROTOCOL_VERSION, code }),
  });
  if (r.status !== 201) throw new Error(`enroll: ${r.status} ${await r.text()}`);
  const a = (await r.json()) as EnrollResponse;
  return {
    deviceId: a.deviceId,
    token: a.token,
    driveId: a.drive.id,
    petitionVersion: a.drive.petitions.find((p) => p.language === 'en')!.version,
    sealKey: a.drive.sealKey,
  };
}

async function postBatch(url: string, token: string, records: SignatureRecord[], capturedThrough: number): Promise<BatchResponse> {
  const r = await fetch(`${url}${API.batches}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ protocol: PROTOCOL_VERSION, records, totals: { capturedThrough, waiting: 0, appVersion: 'bench' } }),
  });
  if (r.status !== 200) throw new Error(`batch: ${r.status} ${await r.text()}`);
  return (await r.json()) as BatchResponse;
}

async function timedDashboard(url: string, lead: Lead): Promise<number | undefined> {
  const t0 = performance.now();
  try {
    const r = await fetch(`${url}${LEAD_API.dashboard(lead.driveId)}`, { headers: { cookie: lead.cookie }, signal: AbortSignal.timeout(30_000) });
    await r.arrayBuffer();
    return r.ok ? performance.now() - t0 : undefined;
  } catch {
    return undefined;
  }
}

function tabletProcess(
  config: TabletsConfig,
  onMessage: (m: ToParent) => void,
): { child: ChildProcess; ready: Promise<void>; done: Promise<Extract<ToParent, { type: 'done' }>> } {
  const child = spawn(process.execPath, ['--import', 'tsx', TABLETS_SCRIPT], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let ready!: () => void;
  let done!: (m: Extract<ToParent, { type: 'done' }>) => void;
  let failed!: (e: Error) => void;
  const readyP = new Promise<void>((r, j) => ((ready = r), (failed = j)));
  const doneP = new Promise<Extract<ToParent, { type: 'done' }>>((r, j) => {
    done = r;
    child.once('exit', (code) => j(new Error(`a tablet process exited (${code}) before it reported`)));
  });
  child.once('exit', (code) => failed(new Error(`a tablet process exited (${code}) before it was ready`)));
  child.on('message', (m: ToParent) => {
    if (m.type === 'ready') ready();
    else if (m.type === 'done') done(m);
    onMessage(m);
  });
  child.send({ type: 'start', config });
  doneP.catch(() => {});
  return { child, ready: readyP, done: doneP };
}

interface RushResult {
  signaturesPerS: number;
  batchMs: number[];
  batchAnswers: BatchTiming[];
  dashboardMs: number[];
  quietDashboardMs: number[];
  quietBatchMs: number[];
  restartMs: number;
  failures: Record<string, number>;
  proxy: Record<string, number>;
  seconds: number;
}

async function rush(kind: Kind, cluster: Cluster | undefined): Promise<RushResult> {
  const dataDir = mkdtempSync(join(tmpdir(), `fieldpen-rush-${kind}-`));
  const env: Record<string, string> = { TRUST_PROXY: '1' };
  if (cluster) {
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    await admin.query('CREATE DATABASE fieldpen_rush');
    await admin.end();
    env.DATABASE_URL = cluster.url.replace(/\/postgres$/, '/fieldpen_rush');
  }
  const ports = kind === 'postgres' ? [await freePort(), await freePort()] : [await freePort()];
  const instances: ServerProcess[] = [];
  // The first instance migrates and seeds; the second starts on the migrated database.
  for (const port of ports) instances.push(await startServer(dataDir, port, env));
  const proxy = await startRushProxy({ upstreams: ports, dropAnswers: DROP_ANSWERS, duplicates: DUPLICATES, random: Math.random });
  const children: ChildProcess[] = [];
  let polling = true;
  try {
    const session = await signInOrganizer(proxy.url, instances[0]!.output());
    const driveId = /"id":"([^"]+)"/.exec(await (await fetch(`${proxy.url}${LEAD_API.drives}`, { headers: { cookie: session.cookie } })).text())![1]!;
    const lead: Lead = { ...session, driveId };

    const total = TABLETS * SIGNATURES;
    let confirmed = 0;
    let restart: Promise<number> | undefined;
    const restartIndex = ports.length - 1;
    const onMessage = (m: ToParent) => {
      if (m.type !== 'answered') return;
      confirmed += m.confirmed;
      if (!restart && confirmed >= total * RESTART_AT) {
        restart = (async () => {
          const t0 = performance.now();
          await instances[restartIndex]!.stop('SIGTERM');
          instances[restartIndex] = await startServer(dataDir, ports[restartIndex], env);
          return performance.now() - t0;
        })();
      }
    };
    const processes = [];
    for (let p = 0; p < PROCESSES; p++) {
      const tablets = Array.from({ length: TABLETS }, (_, i) => i).filter((i) => i % PROCESSES === p);
      if (tablets.length === 0) continue;
      const code = await newCode(proxy.url, lead, tablets.length);
      const config: TabletsConfig = {
        proxyPort: proxy.port,
        code,
        tablets,
        signatures: SIGNATURES,
        startSpreadMs: START_SPREAD_MS,
        pauseChance: 0.1,
        pauseMaxMs: 2_000,
        deadlineMs: DEADLINE_MS,
        seed: p + 1,
      };
      const started = tabletProcess(config, onMessage);
      children.push(started.child);
      processes.push(started);
    }
    await Promise.all(processes.map((p) => p.ready));

    // The lead watches the dashboard during the rush.
    const dashboardMs: number[] = [];
    const poller = (async () => {
      while (polling) {
        const ms = await timedDashboard(proxy.url, lead);
        if (ms !== undefined) dashboardMs.push(ms);
        await new Promise((r) => setTimeout(r, DASHBOARD_EVERY_MS));
      }
    })();
    for (const child of children) child.send({ type: 'go' });
    const reports = await Promise.all(processes.map((p) => p.done));
    polling = false;
    await poller;
    const restartMs = restart ? await restart : 0;

    const outcomes: TabletOutcome[] = reports.flatMap((r) => r.tablets);
    const batchAnswers = reports.flatMap((r) => r.batches);
    const failures: Record<string, number> = {};
    for (const r of reports) for (const [k, v] of Object.entries(r.failures)) failures[k] = (failures[k] ?? 0) + v;
    await verify(kind, env.DATABASE_URL ?? join(dataDir, 'fieldpen.sqlite'), driveId, outcomes, restart !== undefined);

    const first = Math.min(...outcomes.map((o) => o.firstSentAt!));
    const last = Math.max(...outcomes.map((o) => o.lastReceiptAt!));

    // Baselines in the same run, on the same database, once the rush is over: one tablet alone, the dashboard alone.
    const quietDashboardMs: number[] = [];
    for (let i = 0; i < 20; i++) quietDashboardMs.push((await timedDashboard(proxy.url, lead)) ?? NaN);
    const quiet = await enroll(proxy.url, await newCode(proxy.url, lead, 1));
    const quietRecords = await sealedRecords(quiet, QUIET_BATCHES * MAX_BATCH_RECORDS);
    const quietBatchMs: number[] = [];
    for (let b = 0; b < QUIET_BATCHES; b++) {
      const t0 = performance.now();
      const slice = quietRecords.slice(b * MAX_BATCH_RECORDS, (b + 1) * MAX_BATCH_RECORDS);
      // Straight to an instance: the proxy drops answers on purpose.
      await postBatch(instances[0]!.url, quiet.token, slice, slice.at(-1)!.seq);
      quietBatchMs.push(performance.now() - t0);
    }
    return {
      signaturesPerS: (total / (last - first)) * 1000,
      seconds: (last - first) / 1000,
      batchMs: batchAnswers.filter((b) => b.status === 200).map((b) => b.ms),
      batchAnswers,
      dashboardMs,
      quietDashboardMs,
      quietBatchMs,
      restartMs,
      failures,
      proxy: { ...proxy.stats },
    };
  } finally {
    polling = false;
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await proxy.stop();
    await Promise.all(instances.map((i) => i.stop('SIGTERM')));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Exactly what was sent, each once, every receipt complete — or the bench fails, saying what is wrong. */
async function verify(kind: Kind, location: string, driveId: string, outcomes: TabletOutcome[], restarted: boolean): Promise<void> {
  const problems: string[] = [];
  if (!restarted) problems.push('no instance was restarted during the rush');
  const database = openDatabase(kind === 'postgres' ? { url: location } : { file: location });
  try {
    const rows = await database.db
      .selectFrom('signatures')
      .select([
        'device_id',
        sql<number>`count(*)`.as('n'),
        sql<number>`count(distinct seq)`.as('seqs'),
        sql<number>`min(seq)`.as('lo'),
        sql<number>`max(seq)`.as('hi'),
      ])
      .where('drive_id', '=', driveId)
      .groupBy('device_id')
      .execute();
    const byDevice = new Map(rows.map((r) => [r.device_id, r]));
    let held = 0;
    let lost = 0;
    let duplicated = 0;
    for (const o of outcomes) {
      const r = byDevice.get(o.deviceId);
      const n = Number(r?.n ?? 0);
      const seqs = Number(r?.seqs ?? 0);
      held += n;
      duplicated += n - seqs;
      lost += SIGNATURES - seqs;
      if (r && (Number(r.lo) !== 1 || Number(r.hi) !== SIGNATURES)) problems.push(`tablet ${o.tablet}: sequence numbers ${r.lo}…${r.hi}`);
      if (!o.receipt?.complete || o.receipt.received !== SIGNATURES)
        problems.push(
          `tablet ${o.tablet}: receipt ${JSON.stringify(o.receipt && { received: o.receipt.received, complete: o.receipt.complete, missingCount: o.receipt.missingCount })}`,
        );
      if (o.rejected > 0) problems.push(`tablet ${o.tablet}: ${o.rejected} records rejected or in conflict`);
    }
    const [conflicts, rejections] = await Promise.all(
      (['conflicts', 'rejections'] as const).map(async (t) =>
        Number(
          (
            await database.db
              .selectFrom(t)
              .select(sql<number>`count(*)`.as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        ),
      ),
    );
    const expected = TABLETS * SIGNATURES;
    if (held !== expected) problems.push(`the database holds ${held} signatures, not ${expected}`);
    if (lost) problems.push(`${lost} signatures lost`);
    if (duplicated) problems.push(`${duplicated} signatures held twice`);
    if (conflicts || rejections) problems.push(`${conflicts} conflicts and ${rejections} rejections kept`);
  } finally {
    await database.close();
  }
  if (problems.length) throw new Error(`rush on ${kind} lost or duplicated signatures:\n  ${problems.slice(0, 20).join('\n  ')}`);
}

/** The server's CPU per signature: one SQLite instance, 8 tablets sending their batches at once. */
async function serverCpuPerSignature(): Promise<{ serverUs: number; rawUs: number; records: number; wallPerS: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fieldpen-rush-cpu-'));
  const server = await startServer(dataDir);
  try {
    const devices = await Promise.all(Array.from({ length: CPU_TABLETS }, () => enroll(server.url, server.enrollmentCode)));
    const held = await Promise.all(devices.map((d) => sealedRecords(d, MAX_BATCH_RECORDS + CPU_SIGNATURES)));
    // Warm-up: each tablet's first batch (the server compiles and prepares its paths), not counted.
    await Promise.all(devices.map((d, i) => postBatch(server.url, d.token, held[i]!.slice(0, MAX_BATCH_RECORDS), MAX_BATCH_RECORDS)));
    const measured = held.map((records) => records.slice(MAX_BATCH_RECORDS));
    const cpuBefore = processCpuMs(server.pid);
    const t0 = performance.now();
    await Promise.all(
      devices.map(async (d, i) => {
        const records = measured[i]!;
        for (let b = 0; b < records.length; b += MAX_BATCH_RECORDS) {
          const slice = records.slice(b, b + MAX_BATCH_RECORDS);
          const answer = await postBatch(server.url, d.token, slice, slice.at(-1)!.seq);
          if (answer.results.some((r) => r.status !== 'stored')) throw new Error('a CPU-measure batch was not stored whole');
        }
      }),
    );
    const wallMs = performance.now() - t0;
    const serverMs = processCpuMs(server.pid) - cpuBefore;
    const all = measured.flat();
    const rawMs = await rawSqliteCpuMs(devices, measured);
    return { serverUs: (serverMs * 1000) / all.length, rawUs: (rawMs * 1000) / all.length, records: all.length, wallPerS: (all.length / wallMs) * 1000 };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The same rows straight into the server's schema: prepared inserts, 500 a transaction; this process's CPU. */
async function rawSqliteCpuMs(devices: EnrolledDevice[], perDevice: SignatureRecord[][]): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldpen-rush-raw-'));
  try {
    const file = join(dir, 'raw.sqlite');
    const handle = openDatabase({ file });
    await migrateToLatest(handle.db);
    await handle.close();
    const db = new BetterSqlite3(file);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    const now = new Date().toISOString();
    const first = devices[0]!;
    db.prepare('insert into drives (id, title, goal, created_at) values (?, ?, ?, ?)').run(first.driveId, 'Bench', 1000, now);
    db.prepare('insert into petition_versions (version, drive_id, language, title, text, created_at) values (?, ?, ?, ?, ?, ?)').run(
      first.petitionVersion,
      first.driveId,
      'en',
      'T',
      'X',
      now,
    );
    for (const d of devices)
      db.prepare('insert into devices (id, drive_id, name, token_hash, enrolled_at) values (?, ?, ?, ?, ?)').run(
        d.deviceId,
        d.driveId,
        'Bench',
        d.deviceId,
        now,
      );
    const insertBatch = rawSignatureInserter(db);
    const before = process.cpuUsage();
    // Interleaved as the tablets' batches were: one 500-row transaction per batch.
    const longest = Math.max(...perDevice.map((r) => r.length));
    for (let b = 0; b < longest; b += MAX_BATCH_RECORDS)
      for (const records of perDevice) if (b < records.length) insertBatch(records.slice(b, b + MAX_BATCH_RECORDS));
    const used = process.cpuUsage(before);
    db.close();
    return (used.user + used.system) / 1000;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const bench: Bench = async (log) => {
  const cluster = await startCluster();
  let postgres: RushResult;
  try {
    postgres = await rush('postgres', cluster);
  } finally {
    cluster.stop();
  }
  const sqlite = await rush('sqlite', undefined);
  const cpu = await serverCpuPerSignature();

  const detail = (r: RushResult) => ({
    tablets: TABLETS,
    signatures: TABLETS * SIGNATURES,
    seconds: +r.seconds.toFixed(1),
    batch_answers: r.batchAnswers.length,
    refused: Object.fromEntries(Object.entries(r.failures).sort()),
    proxy: r.proxy,
    restart_ms: Math.round(r.restartMs),
    lost: 0,
    duplicated: 0,
  });
  log({
    metric: 'rush_signatures_per_s_postgres',
    value: Math.round(postgres.signaturesPerS),
    unit: 'signatures/s',
    baseline: Math.round(sqlite.signaturesPerS),
    goal: 'report',
    instances: 2,
    ...detail(postgres),
    baseline_is: 'the same rush on one instance on SQLite, signatures/s',
  });
  log({
    metric: 'rush_signatures_per_s_sqlite',
    value: Math.round(sqlite.signaturesPerS),
    unit: 'signatures/s',
    baseline: Math.round(1e6 / cpu.rawUs),
    goal: 'report',
    instances: 1,
    ...detail(sqlite),
    baseline_is: 'raw better-sqlite3 inserts of the same kind of rows, 500 a transaction, signatures per CPU-second',
  });
  log({
    metric: 'rush_batch_p95_ms_postgres',
    value: Math.round(percentile(postgres.batchMs, 95)),
    unit: 'ms',
    baseline: Math.round(percentile(postgres.quietBatchMs, 95)),
    goal: '<= 500',
    median_ms: Math.round(median(postgres.batchMs)),
    p95_all_answers_ms: Math.round(
      percentile(
        postgres.batchAnswers.map((b) => b.ms),
        95,
      ),
    ),
    sqlite_p95_ms: Math.round(percentile(sqlite.batchMs, 95)),
    baseline_is: 'p95 of 500-record batches from one tablet alone on the same database after the rush',
  });
  log({
    metric: 'rush_dashboard_p95_ms',
    value: Math.round(percentile(postgres.dashboardMs, 95)),
    unit: 'ms',
    baseline: Math.round(percentile(postgres.quietDashboardMs, 95)),
    goal: '<= 200',
    reads: postgres.dashboardMs.length,
    sqlite_p95_ms: Math.round(percentile(sqlite.dashboardMs, 95)),
    baseline_is: 'p95 of the same dashboard read with no rush, same database',
  });
  log({
    metric: 'ingest_cpu_vs_raw_sqlite',
    value: +(cpu.rawUs / cpu.serverUs).toFixed(3),
    unit: 'ratio',
    baseline: +cpu.rawUs.toFixed(1),
    goal: '>= 0.4',
    server_cpu_us_per_signature: +cpu.serverUs.toFixed(1),
    server_cpu_bound_per_s: Math.round(1e6 / cpu.serverUs),
    wall_signatures_per_s: Math.round(cpu.wallPerS),
    tablets: CPU_TABLETS,
    records: cpu.records,
    baseline_is: 'raw better-sqlite3 CPU µs per signature, same rows, 500 a transaction',
  });
};
export default bench;
