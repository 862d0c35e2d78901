// Simulated tablets for the rush bench, in a child process of their own (several such processes make
// the crowd). Protocol-level, not browsers: each tablet enrolls through the API, holds its signatures
// (real records built with the shared code, autographs from the fixtures) and syncs as the app does —
// the oldest waiting records in 500-record batches with its totals, an answer changing only the records
// it names, the app's backoff after a failure (honouring Retry-After) — with random pauses. Each
// tablet connects from its own loopback address, as tablets reach a load balancer from their own.
import { Agent, request as httpRequest } from 'node:http';
import { waitBeforeRetry, parseRetryAfter } from '../../../src/sync/backoff';
import { backoffDelay } from '../../../src/sync/scheduler';
import { API, MAX_BATCH_RECORDS, PROTOCOL_VERSION, type BatchResponse, type EnrollResponse, type Receipt } from '../../../src/shared/protocol';
import type { SignatureRecord } from '../../../src/shared/schema';
import { sealedRecords } from './bench-server';

export interface TabletsConfig {
  proxyPort: number;
  code: string;
  /** Tablet numbers this process runs (each gets loopback address 127.0.<1 + n / 250>.<1 + n % 250>). */
  tablets: number[];
  signatures: number;
  /** Each tablet starts its first sync at a random moment within this many ms of "go". */
  startSpreadMs: number;
  /** Chance of a pause (up to pauseMaxMs) after a batch: a volunteer walking out of the wifi. */
  pauseChance: number;
  pauseMaxMs: number;
  /** A tablet still syncing after this gives up (the bench then fails). */
  deadlineMs: number;
  seed: number;
}

export type ToParent =
  | { type: 'ready' }
  | { type: 'answered'; confirmed: number }
  | { type: 'done'; tablets: TabletOutcome[]; batches: BatchTiming[]; failures: Record<string, number> };

export interface TabletOutcome {
  tablet: number;
  deviceId: string;
  confirmed: number;
  rejected: number;
  receipt?: Receipt;
  firstSentAt?: number;
  lastReceiptAt?: number;
}

export interface BatchTiming {
  ms: number;
  status: number;
}

/** Answers a tablet waits for (the app's SYNC_REQUEST_TIMEOUT_MS). */
const REQUEST_TIMEOUT_MS = 90_000;

class Failure extends Error {
  constructor(
    readonly kind: string,
    readonly retryAfterMs?: number,
  ) {
    super(kind);
  }
}

/** A seeded generator (mulberry32): the same schedule for the same seed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function send(parent: ToParent): void {
  process.send!(parent);
}

class Tablet {
  readonly agent: Agent;
  device!: EnrollResponse;
  records: SignatureRecord[] = [];
  confirmed = new Set<string>();
  rejected = 0;
  receipt?: Receipt;
  firstSentAt?: number;
  lastReceiptAt?: number;

  constructor(
    readonly n: number,
    readonly config: TabletsConfig,
    readonly random: () => number,
    readonly timings: BatchTiming[],
    readonly failures: Record<string, number>,
  ) {
    const address = `127.0.${1 + Math.floor(n / 250)}.${1 + (n % 250)}`;
    this.agent = new Agent({ keepAlive: true, maxSockets: 2, localAddress: address });
  }

  request(path: string, body: unknown, token?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
    return new Promise((resolve, reject) => {
      const payload = JSON.stringify(body);
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: this.config.proxyPort,
          path,
          method: 'POST',
          agent: this.agent,
          timeout: REQUEST_TIMEOUT_MS,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...(token ? { authorization: `Bearer ${token}` } : {}) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(payload);
    });
  }

  async enroll(): Promise<void> {
    const r = await this.request(API.enroll, { protocol: PROTOCOL_VERSION, code: this.config.code, deviceName: `Rush tablet ${this.n + 1}` });
    if (r.status !== 201) throw new Error(`tablet ${this.n} enrollment: ${r.status} ${r.text}`);
    this.device = JSON.parse(r.text) as EnrollResponse;
    const petition = this.device.drive.petitions.find((p) => p.language === 'en')!;
    this.records = await sealedRecords(
      {
        deviceId: this.device.deviceId,
        token: this.device.token,
        driveId: this.device.drive.id,
        petitionVersion: petition.version,
        sealKey: this.device.drive.sealKey,
      },
      this.config.signatures,
    );
  }

  waiting(): SignatureRecord[] {
    return this.records.filter((r) => !this.confirmed.has(r.id));
  }

  /** One sync: batches until nothing waits; throws a Failure on the first problem (the backoff follows). */
  async syncOnce(): Promise<void> {
    for (;;) {
      const waiting = this.waiting();
      if (waiting.length === 0 && this.receipt) return;
      const batch = waiting.slice(0, MAX_BATCH_RECORDS);
      const body = {
        protocol: PROTOCOL_VERSION,
        records: batch,
        totals: { capturedThrough: this.records.length, waiting: waiting.length - batch.length, appVersion: 'rush-bench' },
      };
      this.firstSentAt ??= Date.now();
      const t0 = performance.now();
      let answer;
      try {
        answer = await this.request(API.batches, body, this.device.token);
      } catch {
        throw new Failure('no answer');
      }
      this.timings.push({ ms: performance.now() - t0, status: answer.status });
      if (answer.status !== 200) {
        throw new Failure(`status ${answer.status}`, parseRetryAfter(answer.headers['retry-after'] as string | undefined));
      }
      const response = JSON.parse(answer.text) as BatchResponse;
      let settled = 0;
      for (const result of response.results) {
        if (result.status === 'stored' || result.status === 'duplicate') {
          if (!this.confirmed.has(result.id)) settled++;
          this.confirmed.add(result.id);
        } else {
          this.rejected++;
          this.confirmed.add(result.id); // never resent, as the app does
        }
      }
      this.receipt = response.receipt;
      this.lastReceiptAt = Date.now();
      send({ type: 'answered', confirmed: settled });
      if (this.random() < this.config.pauseChance) await sleep(this.random() * this.config.pauseMaxMs);
    }
  }

  /** Sync until done, backing off after each failure as the app's scheduler does. */
  async run(deadline: number): Promise<void> {
    let failures = 0;
    while (Date.now() < deadline) {
      try {
        await this.syncOnce();
        return;
      } catch (e) {
        if (!(e instanceof Failure)) throw e;
        this.failures[e.kind] = (this.failures[e.kind] ?? 0) + 1;
        failures++;
        await sleep(Math.min(waitBeforeRetry(backoffDelay(failures, this.random), e.retryAfterMs, this.random), Math.max(0, deadline - Date.now())));
      }
    }
  }
}

process.on('message', (message: { type: 'start'; config: TabletsConfig } | { type: 'go' }) => {
  if (message.type === 'start') void prepare(message.config);
  else void go();
});

let tablets: Tablet[] = [];
let settings: TabletsConfig;
const timings: BatchTiming[] = [];
const failures: Record<string, number> = {};

async function prepare(config: TabletsConfig): Promise<void> {
  settings = config;
  tablets = config.tablets.map((n) => new Tablet(n, config, seeded(config.seed * 1000 + n), timings, failures));
  for (const tablet of tablets) await tablet.enroll();
  send({ type: 'ready' });
}

async function go(): Promise<void> {
  const deadline = Date.now() + settings.deadlineMs;
  await Promise.all(
    tablets.map(async (tablet) => {
      await sleep(tablet.random() * settings.startSpreadMs);
      await tablet.run(deadline);
    }),
  );
  send({
    type: 'done',
    tablets: tablets.map((t) => ({
      tablet: t.n,
      deviceId: t.device.deviceId,
      confirmed: t.confirmed.size - t.rejected,
      rejected: t.rejected,
      receipt: t.receipt,
      firstSentAt: t.firstSentAt,
      lastReceiptAt: t.lastReceiptAt,
    })),
    batches: timings,
    failures,
  });
  for (const t of tablets) t.agent.destroy();
  setTimeout(() => process.exit(0), 100);
}
