// Device → server sync: send waiting records in bounded batches, change a record's state only from
// the server's per-record answer, report the device's totals every time.
import { API, MAX_BATCH_BYTES, MAX_BATCH_RECORDS, PROTOCOL_VERSION, type ApiError, type BatchRequest, type BatchResponse, type DeviceTotals, type Receipt } from '../shared/protocol';
import type { DeviceSignature } from '../storage/device-db';
import { applyResults, deviceCounts, outbox, recordWaiting, resendMissing, voidWaiting, wireRecord, wireVoid } from '../storage/signatures';
import { loadEnrollment, saveReceipt, type Enrollment } from '../storage/settings';
import type { SyncProblem } from './sync-status';

export const SYNC_LOCK = 'fieldpen-sync';
/** Room left in a batch for the envelope and totals. */
const ENVELOPE_BYTES = 4096;

export class SyncFailure extends Error {
  override name = 'SyncFailure';
  constructor(
    readonly kind: SyncProblem,
    message: string,
    /** False when retrying cannot help until a person acts (revoked, not enrolled). */
    readonly retry: boolean,
  ) {
    super(message);
  }
}

export interface SyncOptions {
  appVersion: string;
  fetch?: typeof fetch;
  onProgress?: (sent: number, total: number) => void;
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
    return navigator.locks.request(SYNC_LOCK, { ifAvailable: true }, (lock) => (lock ? runSync(options) : 'busy' as const));
  }
  return runSync(options);
}

async function runSync(options: SyncOptions): Promise<SyncReport> {
  const enrollment = await loadEnrollment();
  if (!enrollment) throw new SyncFailure('not_enrolled', 'This tablet is not enrolled yet: enter the code from your lead.', false);
  const startedWith = (await deviceCounts()).waiting;
  let sent = 0;
  let confirmed = 0;
  let rejected = 0;
  let voided = 0;
  let maxRecords = MAX_BATCH_RECORDS;
  let receipt: Receipt | undefined;
  let healed = false;
  for (;;) {
    const rows = fitBatch(await outbox(maxRecords));
    if (rows.length === 0 && receipt) {
      // Once per sync: what the server lost since it confirmed it (a restored backup) travels again.
      if (!healed && (receipt.missing?.length ?? 0) > 0) {
        healed = true;
        if ((await resendMissing(receipt.missing)) > 0) continue;
      }
      // An empty sync still reports totals once.
      return { sent, confirmed, rejected, voided, receipt };
    }
    const records = rows.filter(recordWaiting);
    const voids = rows.filter(voidWaiting);
    const answer = await postBatch(enrollment, records, voids, options);
    if (answer === 'too_large') {
      if (rows.length <= 1) throw new SyncFailure('bad_answer', 'The server refused even one signature as too large.', false);
      maxRecords = Math.max(1, Math.floor(rows.length / 2));
      continue;
    }
    // A well-formed answer settles every record and void it was sent; if not, stop rather than loop.
    if (answer.results.length < records.length || (answer.voidResults?.length ?? 0) < voids.length) {
      throw new SyncFailure('bad_answer', 'The server answered for fewer signatures than were sent.', true);
    }
    const settled = await applyResults(answer.results, new Date(), answer.voidResults ?? []);
    await saveReceipt(answer.receipt);
    receipt = answer.receipt;
    sent += rows.length;
    confirmed += answer.results.filter((r) => r.status === 'stored' || r.status === 'duplicate').length;
    rejected += answer.results.filter((r) => r.status === 'rejected' || r.status === 'conflict').length;
    voided += (answer.voidResults ?? []).filter((r) => r.status !== 'rejected').length;
    options.onProgress?.(sent, Math.max(startedWith, sent));
    if (rows.length === 0) continue;
    // A batch that settled nothing would only repeat itself.
    if (settled === 0) throw new SyncFailure('bad_answer', 'The server answered for other signatures than were sent.', true);
  }
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

async function deviceTotals(appVersion: string, inBatch: number): Promise<DeviceTotals> {
  const counts = await deviceCounts();
  const totals: DeviceTotals = { capturedThrough: counts.capturedThrough, waiting: Math.max(0, counts.waiting - inBatch), appVersion };
  try {
    if (navigator.storage?.estimate) {
      const [estimate, persisted] = await Promise.all([navigator.storage.estimate(), navigator.storage.persisted?.() ?? false]);
      totals.storage = { usage: estimate.usage ?? 0, quota: estimate.quota ?? 0, persisted };
    }
  } catch {
    // Storage figures are a courtesy to the lead; a browser that refuses them still syncs.
  }
  return totals;
}

async function postBatch(enrollment: Enrollment, records: DeviceSignature[], voids: DeviceSignature[], options: SyncOptions): Promise<BatchResponse | 'too_large'> {
  const body: BatchRequest = {
    protocol: PROTOCOL_VERSION,
    records: records.map(wireRecord),
    ...(voids.length > 0 ? { voids: voids.map(wireVoid) } : {}),
    totals: await deviceTotals(options.appVersion, new Set([...records, ...voids]).size),
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
  if (response.status === 401) throw new SyncFailure('unauthorized', 'The server does not know this tablet. Ask your lead to enroll it again; its signatures stay on it.', false);
  if (response.status === 403) throw new SyncFailure('device_revoked', 'This tablet was removed from the drive. Its signatures stay on it: hand it to your lead.', false);
  if (!response.ok) {
    const detail = await errorMessage(response);
    throw new SyncFailure('server_error', `The server could not take the signatures (${response.status}${detail ? `: ${detail}` : ''}). Fieldpen will retry.`, true);
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

async function errorMessage(response: Response): Promise<string | undefined> {
  try {
    return ((await response.json()) as ApiError).error?.message;
  } catch {
    return undefined;
  }
}
