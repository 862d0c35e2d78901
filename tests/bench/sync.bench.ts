// 10,000 signatures from a real Chromium page's IndexedDB to the server's SQLite through a proxy adding
// 50 ms each way, run by the app's own sync engine until every record is confirmed on the device;
// against one request per record (how Enketo and Workbox queues send) through the same proxy, and
// against the same engine sending one batch at a time.
import { startProxy } from '../support/fault-proxy';
import { encodeAutograph } from '../../src/shared/autograph-codec';
import { autographFixtures } from '../fixtures/autographs';
import type { Bench } from './metric';
import { BATCHES_IN_FLIGHT } from '../../src/sync/sync-engine';
import { call, openBenchPage } from './support/bench-page';
import { startBenchServer } from './support/bench-server';

const SIGNATURES = 10_000;
const PER_RECORD_SIGNATURES = 200;
const LATENCY_MS = 50;

const bench: Bench = async (log) => {
  const autographs = autographFixtures().map((a) => encodeAutograph(a));
  const server = await startBenchServer();
  const proxy = await startProxy({ target: server.url, latencyMs: LATENCY_MS });
  try {
    // Ours: a tablet holding 10,000 unsent signatures; the page is served on the proxy's origin, so the
    // app's relative API paths go through the proxy exactly as on a tablet behind a slow network.
    const ours = await (async () => {
      const tablet = await openBenchPage({ origin: proxy.url });
      try {
        const who = await call(tablet.page, 'enroll', server.enrollmentCode);
        await call(tablet.page, 'seedWaiting', who, SIGNATURES, autographs, 1);
        // Who is busy while it syncs: the server's CPU, and the page's main thread (Chromium's own count).
        const cdp = await tablet.context.newCDPSession(tablet.page);
        await cdp.send('Performance.enable');
        const pageBusy = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')!.value * 1000;
        const [serverCpu0, page0] = [server.cpuMs(), await pageBusy()];
        const run = await call(tablet.page, 'syncUntilConfirmed');
        const busy = { server_cpu_ms: server.cpuMs() - serverCpu0, page_main_thread_ms: (await pageBusy()) - page0 };
        // Then one more full batch, its round timed step by step: where a sync's time goes.
        await call(tablet.page, 'seedWaiting', who, 500, autographs, SIGNATURES + 1);
        return { ...run, busy, round: await call(tablet.page, 'profileSyncRound', SIGNATURES) };
      } finally {
        await tablet.close();
      }
    })();
    if (ours.waiting !== 0 || ours.received !== SIGNATURES) throw new Error(`sync left ${ours.waiting} waiting, server holds ${ours.received}`);

    // The same engine with one batch on the way at a time: what overlapping batches gain, measured
    // in the same run (the machine is shared, so figures from other runs do not compare).
    const single = await (async () => {
      const tablet = await openBenchPage({ origin: proxy.url });
      try {
        const who = await call(tablet.page, 'enroll', server.enrollmentCode);
        await call(tablet.page, 'seedWaiting', who, SIGNATURES, autographs, 1);
        return await call(tablet.page, 'syncUntilConfirmed', 1);
      } finally {
        await tablet.close();
      }
    })();
    if (single.waiting !== 0 || single.received !== SIGNATURES) throw new Error(`one-at-a-time sync left ${single.waiting} waiting`);

    // Baseline: another tablet, one POST per record through the same proxy.
    const naive = await (async () => {
      const tablet = await openBenchPage({ origin: proxy.url });
      try {
        const who = await call(tablet.page, 'enroll', server.enrollmentCode);
        await call(tablet.page, 'seedWaiting', who, PER_RECORD_SIGNATURES, autographs, 1);
        return await call(tablet.page, 'sendOneByOne', PER_RECORD_SIGNATURES);
      } finally {
        await tablet.close();
      }
    })();
    if (naive.confirmed !== PER_RECORD_SIGNATURES) throw new Error(`per-record run confirmed ${naive.confirmed}`);

    const oursPerS = (SIGNATURES / ours.ms) * 1000;
    const naivePerS = (PER_RECORD_SIGNATURES / naive.ms) * 1000;
    log({
      metric: 'sync_signatures_per_s',
      value: Math.round(oursPerS),
      unit: 'signatures/s',
      baseline: +naivePerS.toFixed(1),
      goal: '>= 2000',
      signatures: SIGNATURES,
      seconds: +(ours.ms / 1000).toFixed(2),
      syncs: ours.syncs,
      latency_each_way_ms: LATENCY_MS,
      one_round_ms: Object.fromEntries(Object.entries(ours.round).map(([k, v]) => [k, Math.round(v)])),
      // Per 500 signatures over the whole sync: which side bounds the rate (the two share the machine).
      busy_ms_per_500: Object.fromEntries(Object.entries(ours.busy).map(([k, v]) => [k, Math.round((v / SIGNATURES) * 500)])),
      baseline_is: 'one request per record through the same proxy, signatures/s',
    });
    const singlePerS = (SIGNATURES / single.ms) * 1000;
    log({
      metric: 'sync_in_flight_vs_one_at_a_time',
      value: +(oursPerS / singlePerS).toFixed(2),
      unit: 'ratio',
      baseline: Math.round(singlePerS),
      ours_per_s: Math.round(oursPerS),
      batches_in_flight: BATCHES_IN_FLIGHT,
      baseline_is: 'the same engine, one batch on the way at a time, signatures/s',
    });
    log({
      metric: 'sync_batch_vs_per_record',
      value: +(oursPerS / naivePerS).toFixed(1),
      unit: 'ratio',
      baseline: +naivePerS.toFixed(1),
      goal: '>= 100',
      ours_per_s: Math.round(oursPerS),
      per_record_signatures: PER_RECORD_SIGNATURES,
      baseline_is: 'one request per record, signatures/s',
    });
  } finally {
    await proxy.stop();
    await server.stop();
  }
};
export default bench;
