// When to sync: on start, when the network returns, when the app becomes visible, on a timer while
// open, and when the volunteer taps "Sync now". Failures back off exponentially with jitter.
//
// The engine itself (./sync-engine, with the outbox) is loaded by the first sync, not with the
// signer form: a tablet opened offline at a door never needs it before the network returns.
import type { SyncReport } from './sync-engine';
import type { DriveInfo } from '../shared/protocol';
import { loadDriveCheckedAt, loadReceipt } from '../storage/settings';
import { savedTotal$ } from '../storage/signatures';
import { requestBackgroundSync } from './background-sync';
import { waitBeforeRetry } from './backoff';
import { getSyncStatus, onSyncedElsewhere, updateSyncStatus } from './sync-status';

export const SYNC_INTERVAL_MS = 60_000;
/** How often a successful sync also asks for the drive (a tap on "Sync now" always does). */
export const DRIVE_CHECK_INTERVAL_MS = 10 * 60_000;
const BACKOFF_BASE_MS = 2_000;
const BACKOFF_MAX_MS = 5 * 60_000;

/** Without Background Sync, a new signature is sent this long after it was saved (several saves, one batch). */
const CAPTURE_SYNC_DELAY_MS = 5_000;

/**
 * How long to wait after the nth failure in a row: doubling from 2 s up to 5 min, each wait drawn
 * from its upper half, so tablets that lost the server together do not come back together.
 */
export function backoffDelay(failures: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, failures - 1));
  return ceiling * (0.5 + random() / 2);
}

/**
 * Whether a successful sync should also ask for the drive: when it was last fetched (enrollment
 * included) at least DRIVE_CHECK_INTERVAL_MS ago, or never.
 */
export function driveCheckDue(checkedAt: string | undefined, now = Date.now()): boolean {
  return checkedAt === undefined || !(now - Date.parse(checkedAt) < DRIVE_CHECK_INTERVAL_MS);
}

export interface AutoSync {
  /** Sync now, whatever the backoff says (the "Sync now" button). */
  syncNow(): Promise<SyncReport | 'busy' | undefined>;
  stop(): void;
}

export interface AutoSyncOptions {
  /** The drive changed on the server (a new petition text, the roster); it is already stored. */
  onDrive?: (drive: DriveInfo) => void;
  /**
   * Sync at once (default). False right after enrollment: the enrollment itself was the tablet's
   * report, and nothing has been captured yet; the next trigger (a save, the timer) syncs.
   */
  syncAtStart?: boolean;
}

export function startAutoSync(appVersion: string, options: AutoSyncOptions = {}): AutoSync {
  let failures = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<SyncReport | 'busy' | undefined> | undefined;
  /** Saved on this tablet in all, as the live query last said; and as it was when the running sync began. */
  let lastSaved: number | undefined;
  let savedAtStart: number | undefined;

  const run = (checkDrive = false): Promise<SyncReport | 'busy' | undefined> => {
    running ??= attempt(checkDrive).finally(() => (running = undefined));
    return running;
  };
  /** The triggers the volunteer did not pull wait for a network the browser knows is there. */
  const runIfOnline = () => {
    if (navigator.onLine) void run();
  };

  async function askForDrive(force: boolean): Promise<void> {
    if (!force && !driveCheckDue(await loadDriveCheckedAt())) return;
    try {
      const { refreshDrive } = await import('./drive-refresh');
      const changed = await refreshDrive();
      if (changed) options.onDrive?.(changed);
    } catch {
      // The tablet keeps the drive it has; the next sync asks again.
    }
  }

  async function attempt(checkDrive: boolean): Promise<SyncReport | 'busy' | undefined> {
    clearTimeout(retryTimer);
    updateSyncStatus({ running: true, progress: undefined, nextRetryAt: undefined });
    savedAtStart = lastSaved;
    let engine: typeof import('./sync-engine') | undefined;
    try {
      engine = await import('./sync-engine');
      const report = await engine.syncOnce({
        appVersion,
        onProgress: (sent, total) => updateSyncStatus({ progress: { sent, total } }),
      });
      failures = 0;
      if (report !== 'busy') {
        void askForDrive(checkDrive);
        updateSyncStatus({
          running: false,
          server: 'reached',
          problem: undefined,
          lastSuccessAt: new Date().toISOString(),
          lastReceipt: report.receipt,
        });
      } else {
        // Another tab or the service worker is syncing: it announces its receipt when done (below).
        // The drive needs no lock: a "Sync now" still asks for it.
        if (checkDrive) void askForDrive(true);
        updateSyncStatus({ running: false });
      }
      return report;
    } catch (e) {
      const known = engine && e instanceof engine.SyncFailure ? e : undefined;
      if (!known) console.error(e);
      const failure = known ?? {
        kind: 'server_error' as const,
        // No engine: its file is gone (a newer version, applied in another tab, replaced it) or unreadable.
        message: engine ? 'Sync failed unexpectedly. Fieldpen will retry.' : 'Sync could not start: reload Fieldpen (Update now) to go on syncing.',
        retry: true,
      };
      let nextRetryAt: string | undefined;
      if (failure.retry) {
        failures++;
        const delay = waitBeforeRetry(backoffDelay(failures), 'retryAfterMs' in failure ? failure.retryAfterMs : undefined);
        retryTimer = setTimeout(runIfOnline, delay);
        nextRetryAt = new Date(Date.now() + delay).toISOString();
      }
      // Any answer, an error too, shows the server can be reached; only no answer at all says it cannot.
      const server = !known ? getSyncStatus().server : known.kind === 'offline' ? 'unreachable' : 'reached';
      updateSyncStatus({ running: false, server, problem: { kind: failure.kind, message: failure.message }, nextRetryAt });
      return undefined;
    }
  }

  const onOnline = () => void run();
  // The browser knows it has no network: the server cannot be reached until a sync says it can.
  const onOffline = () => updateSyncStatus({ server: 'unreachable' });
  if (!navigator.onLine) onOffline();
  const onVisible = () => {
    if (document.visibilityState === 'visible') runIfOnline();
  };
  window.addEventListener('online', onOnline);
  window.addEventListener('offline', onOffline);
  document.addEventListener('visibilitychange', onVisible);
  const interval = setInterval(() => {
    if (document.visibilityState === 'visible') runIfOnline();
  }, SYNC_INTERVAL_MS);
  // Each new signature (in any tab) asks for a background wake-up, so it travels even if the app is
  // closed before the next timer; where there is none, the next attempt comes soon anyway.
  const saved = savedTotal$().subscribe((total) => {
    const grew = lastSaved !== undefined && total > lastSaved;
    lastSaved = total;
    if (!grew) return;
    void requestBackgroundSync().then((registered) => {
      if (!registered && navigator.onLine) scheduleSoon();
    });
  });
  let soonTimer: ReturnType<typeof setTimeout> | undefined;
  const scheduleSoon = () => {
    clearTimeout(soonTimer);
    soonTimer = setTimeout(() => void run(), CAPTURE_SYNC_DELAY_MS);
  };

  // The service worker (woken by Background Sync) or another tab sent what waited: show its receipt.
  const unsubscribeSynced = onSyncedElsewhere(({ receipt, at }) => {
    if (getSyncStatus().running) return; // this page's own sync reports when it ends
    updateSyncStatus({ lastReceipt: receipt, lastSuccessAt: at, server: 'reached', problem: undefined });
  });

  // The last receipt shows at once, before this start-up sync has an answer.
  void loadReceipt().then((receipt) => {
    if (receipt && !getSyncStatus().lastReceipt) updateSyncStatus({ lastReceipt: receipt });
  });
  if (options.syncAtStart ?? true) runIfOnline();

  return {
    syncNow: () => {
      failures = 0;
      if (!running) return run(true);
      // A sync (the timer's, a save's) is already on its way: let it finish, then do what "Sync now"
      // promises on top — ask for the drive, and sync again when it failed or something was saved
      // since it began (the new sync asks for the drive too).
      const began = savedAtStart;
      return running.then(async (report) => {
        if (report === undefined || (lastSaved !== undefined && lastSaved !== began)) return run(true);
        await askForDrive(true);
        return report;
      });
    },
    stop() {
      saved.unsubscribe();
      unsubscribeSynced();
      clearTimeout(soonTimer);
      clearTimeout(retryTimer);
      clearInterval(interval);
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
      document.removeEventListener('visibilitychange', onVisible);
    },
  };
}
