// When to sync: on start, when the network returns, when the app becomes visible, on a timer while
// open, and when the volunteer taps "Sync now". Failures back off exponentially with jitter.
import { SyncFailure, syncOnce, type SyncReport } from './sync-engine';
import { updateSyncStatus } from './sync-status';

export const SYNC_INTERVAL_MS = 60_000;
const BACKOFF_BASE_MS = 2_000;
const BACKOFF_MAX_MS = 5 * 60_000;

export interface AutoSync {
  /** Sync now, whatever the backoff says (the "Sync now" button). */
  syncNow(): Promise<SyncReport | 'busy' | undefined>;
  stop(): void;
}

export function startAutoSync(appVersion: string): AutoSync {
  let failures = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<SyncReport | 'busy' | undefined> | undefined;

  const run = (): Promise<SyncReport | 'busy' | undefined> => {
    running ??= attempt().finally(() => (running = undefined));
    return running;
  };

  async function attempt(): Promise<SyncReport | 'busy' | undefined> {
    clearTimeout(retryTimer);
    updateSyncStatus({ running: true, progress: undefined, nextRetryAt: undefined });
    try {
      const report = await syncOnce({
        appVersion,
        onProgress: (sent, total) => updateSyncStatus({ progress: { sent, total } }),
      });
      failures = 0;
      if (report !== 'busy') {
        updateSyncStatus({
          running: false,
          problem: undefined,
          lastSuccessAt: new Date().toISOString(),
          lastReceipt: { received: report.receipt.received, capturedThrough: report.receipt.capturedThrough },
        });
      } else {
        updateSyncStatus({ running: false });
      }
      return report;
    } catch (e) {
      const failure = e instanceof SyncFailure ? e : new SyncFailure('server_error', 'Sync failed unexpectedly. Fieldpen will retry.', true);
      if (!(e instanceof SyncFailure)) console.error(e);
      let nextRetryAt: string | undefined;
      if (failure.retry) {
        failures++;
        const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (failures - 1)) * (0.5 + Math.random() / 2);
        retryTimer = setTimeout(() => void run(), delay);
        nextRetryAt = new Date(Date.now() + delay).toISOString();
      }
      updateSyncStatus({ running: false, problem: { kind: failure.kind, message: failure.message }, nextRetryAt });
      return undefined;
    }
  }

  const onOnline = () => void run();
  const onVisible = () => {
    if (document.visibilityState === 'visible') void run();
  };
  window.addEventListener('online', onOnline);
  document.addEventListener('visibilitychange', onVisible);
  const interval = setInterval(() => {
    if (document.visibilityState === 'visible' && navigator.onLine) void run();
  }, SYNC_INTERVAL_MS);
  void run();

  return {
    syncNow: () => {
      failures = 0;
      return run();
    },
    stop() {
      clearTimeout(retryTimer);
      clearInterval(interval);
      window.removeEventListener('online', onOnline);
      document.removeEventListener('visibilitychange', onVisible);
    },
  };
}
