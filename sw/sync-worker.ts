/// <reference lib="webworker" />
// The sync engine as Background Sync runs it, built on its own into `sw-sync.js` (src/build/service-worker-sync.ts).
// The service worker starts for every navigation of the app; only a Background Sync wake-up needs
// the engine and Dexie, so they are not part of its own script: evaluating them at each start made
// the app open about 30 ms later offline (tests/bench/volunteer-load.bench.ts).
import { SyncFailure, syncOnce } from '../src/sync/sync-engine';

export interface SyncWorker {
  syncOnce: typeof syncOnce;
  SyncFailure: typeof SyncFailure;
}

declare const self: ServiceWorkerGlobalScope & { fieldpenSync?: SyncWorker };

self.fieldpenSync = { syncOnce, SyncFailure };
