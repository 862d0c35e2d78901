// Device → server sync: send waiting records in bounded batches, change a record's state only from
// the server's per-record answer, report the device's totals every time.
import {
  API,
  MAX_BATCH_BYTES,
  MAX_BATCH_RECORDS,
  PROTOCOL_VERSION,
  type ApiError,
  type BatchRequest,
  type BatchResponse,
  type DeviceTotals,
  type Receipt,
} from '../shared/protocol';
import type { DeviceSignature } from '../storage/device-db';
import { applyResults, capturedThrough, deviceCounts, outbox, recordWaiting, resendMissing, voidWaiting, wireRecord, wireVoid } from '../storage/outbox';
import { storageEstimate } from '../storage/estimate';
import { purgeAfterSync, wipeConfirmed } from '../storage/purge';
import { sealLegacyRecords } from '../storage/legacy-records';
import { loadEnrollment, saveReceipt, type Enrollment } from '../storage/settings';
import { parseRetryAfter } from './backoff';
import { announceSynced, SYNC_LOCK, type SyncProblem } from './sync-status';

/** Room left in a batch for the envelope and totals. */
const ENVELOPE_BYTES = 4096;

export class SyncFailure extends Error {
  override name = 'SyncFailure';
  constructor(
    readonly kind: SyncProblem,
    message: string,
    /** False when retrying cannot help until a person acts (revoked, not enrolled). */
    readonly retry: boolean,
    /** The server's Retry-After (a 503 or 429): the next try waits at least this long. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/**
 * The server answered 403 `device_revoked`. The sync wipes every payload the server confirmed before
 * it reports this (src/storage/purge.ts); what the server does not hold yet stays on the tablet, sealed.
 */
export class DeviceRevoked extends SyncFailure {
  override name = 'DeviceRevoked';
  constructor(message = 'This tablet was removed from the drive. Its signatures stay on it: hand it to your lead.') {
    super('device_revoked', message, false);
  }
}

/** What the volunteer reads once a revoked tablet has wiped what the server holds. */
export function revokedMessage(keptSealed: number): string {
  return `This tablet was revoked: the signatures the server confirmed are erased from it${
    keptSealed > 0 ? `; ${keptSealed} not yet delivered ${keptSealed === 1 ? 'stays' : 'stay'} on it, sealed` : ''
  }. Stop collecting and hand the tablet to your lead.`;
}

export interface SyncOptions {
  appVersion: string;
  fetch?: typeof fetch;
  onProgress?: (sent: number, total: number) => void;
  /** Batches on the way at once (default BATCHES_IN_FLIGHT; the sync bench measures one against it). */
  batchesInFlight?: number;
}

export interface SyncReport {
  /** Records and voids sent. */
  sent: number;
  confirmed: number;
  rejected: number;
  /** Voids the server acknowledged. */
  voided: number;
  receipt: Receipt;
}

/** A request with no answer by then is given up (and its late answer never read): the next attempt resends. */
export const SYNC_REQUEST_TIMEOUT_MS = 90_000;

/** Run one sync unless another tab or the service worker is already running one. */
export async function syncOnce(options: SyncOptions): Promise<SyncReport | 'busy'> {
  if (typeof navigator !== 'undefined' && navigator.locks) {
    return navigator.locks.request(SYNC_LOCK, { ifAvailable: true }, (lock) => (lock ? runAndAnnounce(options) : ('busy' as const)));
  }
  return runAndAnnounce(options);
}

async function runAndAnnounce(options: SyncOptions): Promise<SyncReport> {
  let report: SyncReport;
  try {
    report = await runSync(options);
  } catch (e) {
    // Revoked: every confirmed payload leaves now (no answer is being applied any more: the sync awaits
    // it before it throws); records not yet delivered stay, sealed.
    if (e instanceof DeviceRevoked) throw new DeviceRevoked(revokedMessage((await wipeConfirmed()).keptSealed));
    throw e;
  }
  // The answers are applied: confirmed records past their retention leave the tablet.
  await purgeAfterSync().catch((e: unknown) => console.error('Purging confirmed signatures failed', e instanceof Error ? e.name : 'error'));
  announceSynced(report.receipt);
  return report;
}

/**
 * Batches on the way at once. Round trip, the server's filing and the tablet's own work (reading the
 * next batch, applying an answer) overlap; with one batch at a time the round trip alone held a sync
 * near 1,300 signatures/s at 50 ms each way (tests/bench/sync.bench.ts). Three stay under the
 * server's bound of four per device (overload.ts, MAX_BATCHES_PER_DEVICE), one left for a resend.
 */
export const BATCHES_IN_FLIGHT = 3;

/** What came back for a batch: an answer, 413, or the failure to throw. */
type Outcome = { answer: BatchResponse | 'too_large' } | { failure: unknown };

interface Flight {
  batch: Batch;
  outcome: Promise<Outcome>;
}

/**
 * Up to BATCHES_IN_FLIGHT batches travel at once; answers are applied strictly in the order the
 * batches were sent, one at a time, each changing only the rows it answers. Each next batch is read
 * past the last one sent (records after its last sequence number), so no row is in two batches.
 *
 * The totals a batch carries are the last the server files only if nothing after it lands first: the
 * outbox's tail (a short batch) waits until every answer before it is in, and a sync whose last batch
 * overlapped another ends with an empty batch that reports the final totals.
 *
 * Whenever nothing is on the way, the outbox is read again from the start: it picks up what changed
 * behind the reads (a void made during the sync) and, after a 413, sends the refused batch again in
 * halves. A sync ends only when that read finds nothing. A failure stops new sends; the answers still
 * on the way are applied (they are the server's word), then the first failure is thrown.
 */
async function runSync(options: SyncOptions): Promise<SyncReport> {
  const enrollment = await loadEnrollment();
  if (!enrollment) throw new SyncFailure('not_enrolled', 'This tablet is not enrolled yet: enter the code from your lead.', false);
  // Rows saved in clear by an app before protocol 2 travel only sealed (none after the first run).
  await sealLegacyRecords();
  const tally = { sent: 0, confirmed: 0, rejected: 0, voided: 0 };
  const totals = await startingTotals(options.appVersion);
  let receipt: Receipt | undefined;
  let maxRecords = MAX_BATCH_RECORDS;
  let healed = false;
  /** The first failure: nothing more is sent, what is on the way is still applied. */
  let failure: { error: unknown } | undefined;
  /** A 413 came: once nothing is on the way, read again from the start in smaller batches. */
  let refused = false;
  let sentAny = false;
  /** The last batch sent went while others were on the way: its totals may not be the last filed. */
  let lastOverlapped = false;
  const flights: Flight[] = [];
  const window = Math.max(1, options.batchesInFlight ?? BATCHES_IN_FLIGHT);
  /**
   * No record at or before this sequence number waits: every batch up to it, read one after another,
   * was settled whole by its answer. Reads from the start look for waiting records only past it.
   */
  let settledThrough = 0;
  /** Each answer so far settled its whole batch, in order (a 413 or a partial answer stops the advance). */
  let settledWhole = true;

  const settle = async (answer: BatchResponse, sent: Batch): Promise<void> => {
    // A well-formed answer settles every record and void it was sent; if not, stop rather than loop.
    if (answer.results.length < sent.records.length || (answer.voidResults?.length ?? 0) < sent.voids.length) {
      throw new SyncFailure('bad_answer', 'The server answered for fewer signatures than were sent.', true);
    }
    const settled = await applyResults(answer.results, new Date(), answer.voidResults ?? [], sent.records);
    await saveReceipt(answer.receipt);
    receipt = answer.receipt;
    if (settled < sent.records.length + sent.voids.length) settledWhole = false;
    else if (settledWhole) settledThrough = Math.max(settledThrough, sent.lastSeq);
    tally.confirmed += answer.results.filter((r) => r.status === 'stored' || r.status === 'duplicate').length;
    tally.rejected += answer.results.filter((r) => r.status === 'rejected' || r.status === 'conflict').length;
    tally.voided += (answer.voidResults ?? []).filter((r) => r.status !== 'rejected').length;
    options.onProgress?.(tally.sent, Math.max(totals.startedWith, tally.sent));
    // A batch that settled nothing would only repeat itself.
    if (sent.size > 0 && settled === 0) throw new SyncFailure('bad_answer', 'The server answered for other signatures than were sent.', true);
  };
  const readBatch = async (afterSeq = 0): Promise<Batch> => {
    const rows = await outbox(maxRecords, afterSeq, settledThrough);
    // Fewer than asked for: nothing waited after these when they were read.
    return { ...batchOf(fitBatch(rows)), tail: rows.length < maxRecords };
  };
  const send = async (batch: Batch): Promise<void> => {
    tally.sent += batch.size;
    const carried = await batchTotals(totals, tally.sent);
    lastOverlapped = flights.length > 0;
    sentAny = true;
    const outcome = postBatch(enrollment, batch, carried, options).then(
      (answer): Outcome => ({ answer }),
      (e: unknown): Outcome => ({ failure: e }),
    );
    flights.push({ batch, outcome });
  };
  const mayStillSend = () => !failure && !refused;

  let next = await readBatch();
  for (;;) {
    while (mayStillSend() && next.size > 0 && flights.length < window && !(next.tail && flights.length > 0)) {
      const batch = next;
      await send(batch);
      // Read the batch after this one while it travels.
      next = batch.tail ? { ...batchOf([]), tail: true } : await readBatch(batch.lastSeq);
    }
    const flight = flights.shift();
    if (!flight) {
      // Nothing on the way.
      if (failure) throw failure.error;
      if (!sentAny) {
        // An empty sync still reports totals once.
        await send(next);
        continue;
      }
      refused = false;
      next = await readBatch();
      if (next.size > 0) continue;
      if (!receipt) throw new SyncFailure('bad_answer', 'The server sent an answer Fieldpen cannot read. Fieldpen will retry.', true);
      // The last batch overlapped others: its receipt may predate their commits (on PostgreSQL they file
      // at once), so it could name as missing what is only in flight. Totals filed last, alone, first.
      if (lastOverlapped) {
        await send(next);
        continue;
      }
      // Once per sync: what the server lost since it confirmed it (a restored backup) travels again.
      if (!healed && (receipt.missing?.length ?? 0) > 0) {
        healed = true;
        if ((await resendMissing(receipt.missing)) > 0) {
          // Those wait again, however far back.
          settledThrough = 0;
          next = await readBatch();
          continue;
        }
      }
      return { ...tally, receipt };
    }
    const outcome = await flight.outcome;
    if ('failure' in outcome) {
      failure ??= { error: outcome.failure };
    } else if (outcome.answer === 'too_large') {
      tally.sent -= flight.batch.size;
      if (flight.batch.size <= 1) failure ??= { error: new SyncFailure('bad_answer', 'The server refused even one signature as too large.', false) };
      maxRecords = Math.max(1, Math.min(maxRecords, Math.floor(flight.batch.size / 2)));
      refused = true;
      settledWhole = false;
    } else {
      try {
        await settle(outcome.answer, flight.batch);
      } catch (e) {
        failure ??= { error: e };
      }
    }
  }
}

/** What one request carries: waiting records, and waiting voids (a row voided before it ever travelled is in both). */
interface Batch {
  records: DeviceSignature[];
  voids: DeviceSignature[];
  /** Rows in the batch. */
  size: number;
  firstSeq: number;
  lastSeq: number;
  /** The outbox held nothing after it when it was read. */
  tail?: boolean;
}

function batchOf(rows: DeviceSignature[]): Batch {
  return {
    records: rows.filter(recordWaiting),
    voids: rows.filter(voidWaiting),
    size: rows.length,
    firstSeq: rows[0]?.seq ?? 0,
    lastSeq: rows[rows.length - 1]?.seq ?? 0,
  };
}

interface StartingTotals {
  appVersion: string;
  startedWith: number;
  capturedThrough: number;
  storage?: DeviceTotals['storage'];
}

/** Counted once per sync: counting what waits costs more than reading a batch. */
async function startingTotals(appVersion: string): Promise<StartingTotals> {
  const [counts, storage] = await Promise.all([deviceCounts(), storageEstimate()]);
  const totals: StartingTotals = { appVersion, startedWith: counts.waiting, capturedThrough: counts.capturedThrough };
  if (storage) totals.storage = storage;
  return totals;
}

/**
 * What a batch reports of the device: the highest sequence number now, and what will still wait once
 * this batch is in — counted at the start, less what was sent since, plus what was captured since.
 */
async function batchTotals(start: StartingTotals, sentIncludingThisBatch: number): Promise<DeviceTotals> {
  const through = await capturedThrough();
  const waiting = Math.max(0, start.startedWith + (through - start.capturedThrough) - sentIncludingThisBatch);
  return { capturedThrough: through, waiting, appVersion: start.appVersion, ...(start.storage ? { storage: start.storage } : {}) };
}

/** Keep a batch under the byte bound as well as the record bound. */
function fitBatch<T extends object>(rows: T[]): T[] {
  let bytes = ENVELOPE_BYTES;
  let n = 0;
  for (const row of rows) {
    bytes += JSON.stringify(row).length + 1;
    if (bytes > MAX_BATCH_BYTES && n > 0) break;
    n++;
  }
  return rows.slice(0, n);
}

async function postBatch(enrollment: Enrollment, { records, voids }: Batch, totals: DeviceTotals, options: SyncOptions): Promise<BatchResponse | 'too_large'> {
  const body: BatchRequest = {
    protocol: PROTOCOL_VERSION,
    records: records.map(wireRecord),
    ...(voids.length > 0 ? { voids: voids.map(wireVoid) } : {}),
    totals,
  };
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(API.batches, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${enrollment.token}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(SYNC_REQUEST_TIMEOUT_MS),
    });
  } catch {
    throw new SyncFailure('offline', 'No connection to the server. Signatures stay safe on this tablet.', true);
  }
  if (response.status === 413) return 'too_large';
  if (response.status === 401)
    throw new SyncFailure('unauthorized', 'The server does not know this tablet. Ask your lead to enroll it again; its signatures stay on it.', false);
  if (response.status === 403) {
    // Only the server's own word wipes: a 403 from something in between (a proxy) does not.
    if ((await errorCode(response)) === 'device_revoked') throw new DeviceRevoked();
    throw new SyncFailure('device_revoked', 'This tablet was removed from the drive. Its signatures stay on it: hand it to your lead.', false);
  }
  if (!response.ok) {
    const detail = await errorMessage(response);
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    throw new SyncFailure(
      'server_error',
      `The server could not take the signatures (${response.status}${detail ? `: ${detail}` : ''}). Fieldpen will retry.`,
      true,
      retryAfterMs,
    );
  }
  let answer: BatchResponse;
  try {
    answer = (await response.json()) as BatchResponse;
  } catch {
    throw new SyncFailure('bad_answer', 'The server sent an answer Fieldpen cannot read. Fieldpen will retry.', true);
  }
  if (answer?.protocol !== PROTOCOL_VERSION || !Array.isArray(answer.results) || !answer.receipt) {
    throw new SyncFailure('bad_answer', 'The server sent an answer Fieldpen cannot read. Fieldpen will retry.', true);
  }
  return answer;
}

async function errorCode(response: Response): Promise<string | undefined> {
  try {
    return ((await response.json()) as ApiError).error?.code;
  } catch {
    return undefined;
  }
}

async function errorMessage(response: Response): Promise<string | undefined> {
  try {
    return ((await response.json()) as ApiError).error?.message;
  } catch {
    return undefined;
  }
}
