// The bench page's code, bundled by tests/bench/support/bench-page.ts: the app's real storage,
// capture and sync modules, and the raw IndexedDB and per-record baselines they are measured against.
// Timing loops run here, in the page, so no Playwright round trip lands inside a measurement.
import Dexie, { RangeSet, type ObservabilitySet } from 'dexie';
import { AutographPad } from '../../../src/capture/autograph-pad';
import { encodeAutograph, type Autograph } from '../../../src/shared/autograph-codec';
import { uuidv7 } from '../../../src/shared/ids';
import { API, PROTOCOL_VERSION, type BatchRequest, type BatchResponse } from '../../../src/shared/protocol';
import { withDigest } from '../../../src/shared/record';
import { canonicalJson } from '../../../src/shared/digest';
import { check, SignatureContentSchema, SignerDetailsSchema, type SignatureContent } from '../../../src/shared/schema';
import { generateDriveKeyPair, importDrivePublicKey, prepareSeal, sealSignerDetails } from '../../../src/shared/signer-seal';
import { addSignatureStrict, deviceDb, type DeviceSignature } from '../../../src/storage/device-db';
import { loadDrive, loadEnrollment, saveDrive } from '../../../src/storage/settings';
import { prepareNextSeal } from '../../../src/storage/sealing';
import { signerHashOf } from '../../../src/storage/signer-hash';
import { captureSignature, initialsOf, type CaptureInput } from '../../../src/storage/signatures';
import { applyResults, deviceCounts, outbox, waitingRecords, wireRecord } from '../../../src/storage/outbox';
import { purgeAfterSync, purgeExpired } from '../../../src/storage/purge';
import { enrollDevice } from '../../../src/sync/enroll';
import { syncOnce } from '../../../src/sync/sync-engine';

const GIVEN = ['Rosa', 'Ada', 'Malik', 'Mei', 'Tomás', 'Grace', 'Yusuf', 'Hannah', 'Luis', 'Priya'];
const FAMILY = ['Delgado', 'Okafor', 'Johnson', 'Chen', 'García', 'Nguyen', 'Smith', 'Haddad', 'Kowalski', 'Brown'];
const STREETS = ['Oak Avenue', 'Maple Street', 'High Street', 'Cleveland Avenue', 'Parsons Avenue', 'Summit Street'];

export interface Identity {
  deviceId: string;
  driveId: string;
  petitionVersion: string;
}

/** What the volunteer's form hands to captureSignature for signer n. */
function captureInput(who: Identity, n: number, autograph: string): CaptureInput {
  return {
    deviceId: who.deviceId,
    driveId: who.driveId,
    petition: { version: who.petitionVersion, language: 'en' },
    volunteer: 'Sam Rivera',
    signer: {
      givenName: GIVEN[n % GIVEN.length]!,
      familyName: FAMILY[(n * 7) % FAMILY.length]!,
      street: `${100 + (n % 900)} ${STREETS[n % STREETS.length]}`,
      city: 'Columbus',
      state: 'OH',
      zip: '43215',
      ...(n % 3 === 0 ? {} : { email: `signer${n}@example.org` }),
    },
    autograph,
  };
}

/**
 * The public key of the drive the tablet keeps in settings (an enrolled tablet's, from the server); a
 * page with no server (the capture bench) makes a drive key pair and keeps its drive, as enrolling would.
 */
let publicKey: Promise<CryptoKey> | undefined;
function drivePublicKey(who: Identity): Promise<CryptoKey> {
  publicKey ??= (async () => {
    const kept = await loadDrive();
    if (kept?.id === who.driveId && kept.sealKey) return importDrivePublicKey(kept.sealKey);
    const pair = await generateDriveKeyPair();
    const petitions = [{ version: who.petitionVersion, language: 'en' as const, title: 'Bench petition', text: 'We ask…' }];
    await saveDrive({ id: who.driveId, title: 'Bench drive', goal: 25_000, petitions, sealKey: pair.publicKey });
    return importDrivePublicKey(pair.publicKey);
  })();
  return publicKey;
}

/** A row as captureSignature keeps it: sealed to the drive, with initials and the keyed hash. */
async function sealedRow(who: Identity, seq: number, autograph: string, state: DeviceSignature['state'], at: Date): Promise<DeviceSignature> {
  const { signer, autograph: drawn, location: _none, ...clear } = captureInput(who, seq, autograph);
  const id = uuidv7(at.getTime());
  const sealed = await sealSignerDetails(await drivePublicKey(who), { signer, autograph: drawn }, { driveId: who.driveId, recordId: id });
  const content: SignatureContent = { ...clear, id, seq, capturedAt: at.toISOString(), place: { city: signer.city, state: signer.state }, sealed };
  const signerKey = await signerHashOf(signer);
  return { ...(await withDigest(content)), state, initials: initialsOf(signer), ...(signerKey ? { signerKey } : {}) };
}

// ── autograph as a picture ───────────────────────────────────────────────────

let pad: AutographPad | undefined;

/** signature_pad's PNG data URL of these strokes, drawn by the app's own pad (its pen, its canvas sizing). */
function pngDataUrlLength(autograph: Autograph): number {
  const canvas = document.querySelector('canvas')!;
  pad ??= new AutographPad(canvas);
  pad.clear();
  pad.load(autograph);
  // SignaturePad.toDataURL('image/png') is exactly the canvas's PNG data URL.
  return canvas.toDataURL('image/png').length;
}

// ── capture: ours against a raw IndexedDB put ────────────────────────────────

const RAW_DB = 'raw-baseline';

/**
 * The raw baseline's store: the key and the indexes of the app's signatures table as it is now (device
 * database version 4), so a raw put maintains the same indexes a Save does. `fourIndexes` makes the
 * store the baseline had before, with the indexes the table first had (version 1), reported beside it.
 */
function openRawDb(name = RAW_DB, { fourIndexes = false } = {}): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(name, 1);
    open.onupgradeneeded = () => {
      // 'id, &seq, state, [state+seq], capturedAt' (version 1) …
      const store = open.result.createObjectStore('signatures', { keyPath: 'id' });
      store.createIndex('seq', 'seq', { unique: true });
      store.createIndex('state', 'state');
      store.createIndex('[state+seq]', ['state', 'seq']);
      store.createIndex('capturedAt', 'capturedAt');
      if (fourIndexes) return;
      // … '[state+capturedAt], signerKey, legacyClear' (versions 2 to 4).
      store.createIndex('[state+capturedAt]', ['state', 'capturedAt']);
      store.createIndex('signerKey', 'signerKey');
      store.createIndex('legacyClear', 'legacyClear');
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
}

function rawPut(db: IDBDatabase, rows: readonly DeviceSignature[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction('signatures', 'readwrite', { durability: 'strict' });
    const store = tx.objectStore('signatures');
    for (const row of rows) store.put(row);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

let rawDb: IDBDatabase | undefined;
/** The baseline's store as it was before: the four indexes the app's table first had. */
let rawDbFour: IDBDatabase | undefined;

/** Fill both databases with the same `count` records, most of them already confirmed, as on a tablet late in a drive. */
async function seedBoth(who: Identity, count: number, autographs: string[]): Promise<void> {
  rawDb = await openRawDb();
  rawDbFour = await openRawDb('raw-baseline-four-indexes', { fourIndexes: true });
  await drivePublicKey(who);
  const at = new Date(Date.now() - 86_400_000);
  for (let start = 1; start <= count; start += 500) {
    const rows: DeviceSignature[] = [];
    for (let seq = start; seq < Math.min(count + 1, start + 500); seq++) {
      rows.push(
        await sealedRow(who, seq, autographs[seq % autographs.length]!, seq > count * 0.9 ? 'pending' : 'confirmed', new Date(at.getTime() + seq * 1000)),
      );
    }
    await deviceDb().signatures.bulkAdd(rows);
    // The raw stores get the same rows under other sequence numbers, so they never share a key.
    for (const raw of [rawDb, rawDbFour]) {
      await rawPut(
        raw,
        rows.map((r) => ({ ...r, id: uuidv7(), seq: r.seq + 1_000_000 })),
      );
    }
  }
}

export interface CaptureTimes {
  /** Tap Save → committed: encode the strokes, then captureSignature. */
  save: number[];
  /** captureSignature alone (check, seal with the digest, strict-durability transaction). */
  ours: number[];
  /** A raw put into a store with the app's key and six indexes: the baseline. */
  raw: number[];
  /** A raw put into a store with the four indexes the app's table first had (the baseline before). */
  rawFour: number[];
}

/**
 * Save `iterations` signatures the app's way (tap Save: encode the strokes, captureSignature until its
 * transaction has committed) and, interleaved, put the very record it produced into each raw store
 * in one strict-durability transaction. Alternating which goes first evens out any drift.
 */
async function timeCaptures(who: Identity, iterations: number, autographs: Autograph[], warmup: number): Promise<CaptureTimes> {
  const times: CaptureTimes = { save: [], ours: [], raw: [], rawFour: [] };
  let rawSeq = 2_000_000;
  for (let i = 0; i < warmup + iterations; i++) {
    const autograph = autographs[i % autographs.length]!;
    const ours = async () => {
      const t0 = performance.now();
      const input = captureInput(who, i, encodeAutograph(autograph));
      const t1 = performance.now();
      const saved = await captureSignature(input);
      const t2 = performance.now();
      return { saved, ms: t2 - t1, saveMs: t2 - t0 };
    };
    const put = async (db: IDBDatabase, row: DeviceSignature) => {
      const copy = { ...row, id: uuidv7(), seq: rawSeq++ };
      const t0 = performance.now();
      await rawPut(db, [copy]);
      return performance.now() - t0;
    };
    // Both raw stores, in turns first.
    const raws = async (row: DeviceSignature) => {
      if (i % 4 < 2) {
        const six = await put(rawDb!, row);
        return { six, four: await put(rawDbFour!, row) };
      }
      const four = await put(rawDbFour!, row);
      return { four, six: await put(rawDb!, row) };
    };
    // Save makes the next signer's seal ready once it has committed, as the app does while the
    // volunteer walks to the next door; the bench lets that finish outside every timed step.
    const ready = () => prepareNextSeal(who.driveId);
    let o: { ms: number; saveMs: number }, rawMs: { six: number; four: number };
    if (i % 2 === 0) {
      const first = await ours();
      await ready();
      o = first;
      rawMs = await raws(first.saved);
    } else {
      // The record is the one the previous save produced, with a fresh key: the same shape and size.
      const previous = (await deviceDb().signatures.orderBy('seq').last())!;
      rawMs = await raws(previous);
      o = await ours();
      await ready();
    }
    if (i >= warmup) {
      times.save.push(o.saveMs);
      times.ours.push(o.ms);
      times.raw.push(rawMs.six);
      times.rawFour.push(rawMs.four);
    }
  }
  return times;
}

// ── sealing one record ───────────────────────────────────────────────────────

export interface SealTimes {
  /** sealSignerDetails cold: an ephemeral P-256 key, ECDH, HKDF, AES-128-GCM over the details' canonical JSON. */
  seal: number[];
  /** prepareSeal: the same without the encryption, done ahead of Save (when the form opens, after each Save). */
  prepare: number[];
  /** sealSignerDetails with a seal prepared ahead: what is left of sealing inside Save. */
  prepared: number[];
  /** AES-128-GCM alone over the same bytes with a key already made: the bare cipher, no key agreement. */
  aes: number[];
  sealedChars: number;
}

/** Seal `iterations` signers' details to the drive, and, interleaved, encrypt the same text with a bare AES-GCM key. */
async function timeSeals(who: Identity, iterations: number, autographs: Autograph[], warmup: number): Promise<SealTimes> {
  const key = await drivePublicKey(who);
  const aesKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 128 }, false, ['encrypt']);
  const times: SealTimes = { seal: [], prepare: [], prepared: [], aes: [], sealedChars: 0 };
  for (let i = 0; i < warmup + iterations; i++) {
    const { signer, autograph } = captureInput(who, i, encodeAutograph(autographs[i % autographs.length]!));
    const details = { signer, autograph };
    const context = { driveId: who.driveId, recordId: uuidv7() };
    let t = performance.now();
    const sealed = await sealSignerDetails(key, details, context);
    const sealMs = performance.now() - t;
    t = performance.now();
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv: crypto.getRandomValues(new Uint8Array(12)) }, aesKey, new TextEncoder().encode(canonicalJson(details)));
    const aesMs = performance.now() - t;
    t = performance.now();
    const ready = await prepareSeal(key);
    const prepareMs = performance.now() - t;
    t = performance.now();
    await sealSignerDetails(ready, details, { driveId: who.driveId, recordId: uuidv7() });
    const preparedMs = performance.now() - t;
    if (i >= warmup) {
      times.seal.push(sealMs);
      times.prepare.push(prepareMs);
      times.prepared.push(preparedMs);
      times.aes.push(aesMs);
      times.sealedChars = Math.max(times.sealedChars, sealed.length);
    }
  }
  return times;
}

// ── sync: batches against one request per record ─────────────────────────────

async function enroll(code: string): Promise<Identity> {
  const enrollment = await enrollDevice(code, 'Sam Rivera', 'Bench tablet', 'bench');
  const drive = (await loadDrive())!;
  const petition = drive.petitions.find((p) => p.language === 'en')!;
  return { deviceId: enrollment.deviceId, driveId: drive.id, petitionVersion: petition.version };
}

/** `count` captured signatures waiting to be sent, sealed exactly as captureSignature seals them. */
async function seedWaiting(who: Identity, count: number, autographs: string[], firstSeq = 1): Promise<void> {
  const at = new Date();
  for (let start = firstSeq; start < firstSeq + count; start += 500) {
    const rows: DeviceSignature[] = [];
    for (let seq = start; seq < Math.min(firstSeq + count, start + 500); seq++) {
      rows.push(await sealedRow(who, seq, autographs[seq % autographs.length]!, 'pending', new Date(at.getTime() + seq)));
    }
    await deviceDb().signatures.bulkAdd(rows);
  }
}

/** The app's sync engine, run until the device holds nothing unconfirmed (with this many batches on the way at once, or its own). */
async function syncUntilConfirmed(batchesInFlight?: number): Promise<{ ms: number; syncs: number; received: number; waiting: number }> {
  const t0 = performance.now();
  let syncs = 0;
  let received = 0;
  while ((await deviceCounts()).waiting > 0) {
    const report = await syncOnce({ appVersion: 'bench', ...(batchesInFlight ? { batchesInFlight } : {}) });
    syncs++;
    if (report !== 'busy') received = report.receipt.received;
    if (syncs > 1000) throw new Error('sync did not finish');
  }
  return { ms: performance.now() - t0, syncs, received, waiting: (await deviceCounts()).waiting };
}

/** The naive way (an Enketo or Workbox queue): one POST per record, oldest first, each confirmed as its answer arrives. */
async function sendOneByOne(count: number): Promise<{ ms: number; confirmed: number }> {
  const enrollment = (await loadEnrollment())!;
  const rows = await waitingRecords(count);
  // A queue knows nothing of totals: counted once, not per request, so the baseline is not slowed by them.
  const counts = await deviceCounts();
  let waiting = counts.waiting;
  const t0 = performance.now();
  let confirmed = 0;
  for (const row of rows) {
    const body: BatchRequest = {
      protocol: PROTOCOL_VERSION,
      records: [wireRecord(row)],
      totals: { capturedThrough: counts.capturedThrough, waiting: --waiting, appVersion: 'bench' },
    };
    const response = await fetch(API.batches, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${enrollment.token}` },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`per-record send failed: ${response.status}`);
    const answer = (await response.json()) as BatchResponse;
    await applyResults(answer.results);
    confirmed += answer.results.filter((r) => r.status === 'stored' || r.status === 'duplicate').length;
  }
  return { ms: performance.now() - t0, confirmed };
}

// ── Save, step by step ───────────────────────────────────────────────────────

/**
 * Each step Save takes, run over the same `iterations` inputs one step at a time, in the order Save
 * runs them: where the time inside captureSignature goes. Mean ms per record (a whole step's time over
 * its count: the page's clock ticks in 0.1 ms, too coarse to time one step once). The strict-durability
 * add into the app's table and the raw put of the same row into the baseline's store alternate.
 */
async function profileCaptureSteps(who: Identity, iterations: number, autographs: Autograph[]): Promise<Record<string, number>> {
  const means: Record<string, number> = {};
  const step = async <T, R>(name: string, inputs: readonly T[], run: (input: T, i: number) => R | Promise<R>): Promise<R[]> => {
    const out: R[] = [];
    const t = performance.now();
    for (let i = 0; i < inputs.length; i++) out.push(await run(inputs[i]!, i));
    means[name] = +((performance.now() - t) / inputs.length).toFixed(4);
    return out;
  };
  const key = await drivePublicKey(who);
  const n = Array.from({ length: iterations }, (_, i) => i);
  const encoded = await step('encode_autograph', n, (i) => encodeAutograph(autographs[i % autographs.length]!));
  const inputs = n.map((i) => captureInput(who, i, encoded[i]!));
  const details = await step('check_details', inputs, ({ signer, autograph }) => {
    const checked = check(SignerDetailsSchema, { signer, autograph });
    if (!checked.ok) throw new Error('bench details refused');
    return checked.value;
  });
  const ids = n.map(() => uuidv7());
  const sealed = await step('seal_cold', details, (d, i) => sealSignerDetails(key, d, { driveId: who.driveId, recordId: ids[i]! }));
  const prepared = await step('seal_prepare_ahead', n, () => prepareSeal(key));
  await step('seal_prepared', details, (d, i) => sealSignerDetails(prepared[i]!, d, { driveId: who.driveId, recordId: ids[i]! }));
  const hashes = await step('keyed_hash', inputs, ({ signer }) => signerHashOf(signer));
  const firstSeq = ((await deviceDb().signatures.orderBy('seq').last())?.seq ?? 0) + 1;
  const contents = await step('check_record', inputs, ({ signer, autograph: _a, location: _l, ...clear }, i) => {
    const content = {
      ...clear,
      id: ids[i]!,
      seq: firstSeq + i,
      capturedAt: new Date().toISOString(),
      place: { city: signer.city, state: signer.state },
      sealed: sealed[i]!,
    };
    const checked = check(SignatureContentSchema, content);
    if (!checked.ok) throw new Error('bench record refused');
    return checked.value;
  });
  const records = await step('digest', contents, (c) => withDigest(c));
  const rows = await step('initials_and_row', records, (r, i): DeviceSignature => {
    const row: DeviceSignature = { ...r, state: 'pending', initials: initialsOf(inputs[i]!.signer) };
    if (hashes[i]) row.signerKey = hashes[i];
    return row;
  });
  const spent = { app: 0, raw: 0, four: 0 };
  for (let i = 0; i < rows.length; i++) {
    const copy = () => ({ ...rows[i]!, id: uuidv7(), seq: 3_000_000 + firstSeq + i });
    const order = (['app', 'raw', 'four'] as const).map((_, k, all) => all[(i + k) % 3]!);
    for (const which of order) {
      const t = performance.now();
      if (which === 'app') await addSignatureStrict(deviceDb(), rows[i]!);
      else await rawPut(which === 'raw' ? rawDb! : rawDbFour!, [copy()]);
      spent[which] += performance.now() - t;
    }
  }
  means.add_strict_app_table = +(spent.app / rows.length).toFixed(4);
  means.put_strict_raw_store = +(spent.raw / rows.length).toFixed(4);
  means.put_strict_raw_store_four_indexes = +(spent.four / rows.length).toFixed(4);
  // Whole Saves, the next seal made ready between them (outside the time), and raw puts of the rows they
  // made, alternating: what the steps above add up to.
  let saves = 0;
  let puts = 0;
  for (let i = 0; i < iterations; i++) {
    const input = captureInput(who, i, encoded[i]!);
    let t = performance.now();
    const row = await captureSignature(input);
    saves += performance.now() - t;
    await prepareNextSeal(who.driveId);
    t = performance.now();
    await rawPut(rawDb!, [{ ...row, id: uuidv7(), seq: 5_000_000 + firstSeq + i }]);
    puts += performance.now() - t;
  }
  means.capture_signature_whole = +(saves / iterations).toFixed(4);
  means.put_strict_raw_store_same_rows = +(puts / iterations).toFixed(4);
  // What addSignatureStrict does after the commit: tell live queries here and in other tabs, as Dexie would.
  const table = deviceDb().table('signatures');
  const prefix = `idb://${deviceDb().name}/signatures/`;
  await step('notify_live_queries', n, () => {
    const parts: ObservabilitySet = { [prefix]: new RangeSet(-Infinity, [[[]]]), [`${prefix}:dels`]: new RangeSet(-Infinity, [[[]]]) };
    for (const index of table.schema.indexes) parts[prefix + index.name] = new RangeSet(-Infinity, [[[]]]);
    Dexie.on.storagemutated.fire(parts);
  });
  return means;
}

export const api = {
  profileCaptureSteps,
  pngDataUrlLength: (autograph: Autograph) => pngDataUrlLength(autograph),
  seedBoth,
  timeCaptures,
  timeSeals,
  enroll,
  seedWaiting,
  syncUntilConfirmed,
  sendOneByOne,
  storedCount: async () => deviceDb().signatures.count(),
  profileSyncRound: (settledThrough: number) => profileSyncRound(settledThrough),
};
export type BenchApi = typeof api;

/**
 * Where one batch's time goes, step by step (reported with the sync figures). The sync engine overlaps
 * reading the next batch and applying the previous answer with the round trip, and counts what waits
 * once per sync, so a batch costs about the longest of these, not their sum. `settledThrough`: the
 * records an earlier sync confirmed, which a read from the very start steps over (Chromium keeps the
 * index entries their confirmation left until it sweeps them); the engine reads past them within a sync.
 */
async function profileSyncRound(settledThrough: number): Promise<Record<string, number>> {
  const enrollment = (await loadEnrollment())!;
  let t = performance.now();
  await waitingRecords(500);
  const readFromStart = performance.now() - t;
  t = performance.now();
  const rows = await outbox(500, settledThrough, settledThrough);
  const read = performance.now() - t;
  t = performance.now();
  const counts = await deviceCounts();
  const countMs = performance.now() - t;
  t = performance.now();
  const body = JSON.stringify({
    protocol: PROTOCOL_VERSION,
    records: rows.map(wireRecord),
    totals: { capturedThrough: counts.capturedThrough, waiting: counts.waiting - rows.length, appVersion: 'bench' },
  });
  const serialize = performance.now() - t;
  t = performance.now();
  const response = await fetch(API.batches, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${enrollment.token}` },
    body,
  });
  const answer = (await response.json()) as BatchResponse;
  const post = performance.now() - t;
  t = performance.now();
  await applyResults(answer.results, new Date(), [], rows);
  const apply = performance.now() - t;
  // Nothing is due (confirmed today, no shift ended): what each purge pays to find that out.
  t = performance.now();
  await purgeAfterSync();
  const purgeAfter = performance.now() - t;
  t = performance.now();
  await purgeExpired();
  const purgeFull = performance.now() - t;
  return {
    read_waiting: read,
    read_waiting_from_start: readFromStart,
    count_once_per_sync: countMs,
    serialize,
    post_through_proxy: post,
    apply_results: apply,
    purge_after_sync: purgeAfter,
    purge_full_pass: purgeFull,
    records: rows.length,
  };
}
