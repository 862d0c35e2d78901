/// <reference lib="webworker" />
// The service worker only wires events: precache the app shell, answer navigations with it offline,
// and run the sync engine when Background Sync wakes it.
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { clientsClaim } from 'workbox-core';
import { SYNC_TAG } from '../src/sync/background-sync';
import type { SyncWorker } from './sync-worker';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (string | { url: string; revision: string | null })[]; fieldpenSync?: SyncWorker };
declare const __APP_VERSION__: string | undefined;

interface SyncEvent extends ExtendableEvent {
  readonly tag: string;
}

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
// The first install takes the open page at once, so it works offline without a reload. Later
// versions wait until the app says so (never mid-form).
clientsClaim();

// Every page of the volunteer app is the one shell; the API and the lead dashboard never are.
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { denylist: [/^\/api\//, /^\/lead(\/|$)/] }));

self.addEventListener('message', (event) => {
  if (event.data?.type !== 'SKIP_WAITING') return;
  void self.skipWaiting();
});

// The sync engine lives in its own script (sw/sync-worker.ts), evaluated only when Background Sync
// wakes the worker. A worker may import a script after it started only if it imported it while
// installing: that is when the script is stored with the worker, so it works offline too.
const SYNC_SCRIPT = '/sw-sync.js';

self.addEventListener('install', (event) => {
  try {
    importScripts(SYNC_SCRIPT);
  } catch (e) {
    event.waitUntil(Promise.reject(e)); // a worker that could never sync is not installed; the browser tries again
  }
});

function syncWorker(): SyncWorker {
  if (!self.fieldpenSync) importScripts(SYNC_SCRIPT);
  return self.fieldpenSync!;
}

// A wake-up only: the records are in Dexie, the same engine sends them under the same Web Lock as
// the pages. 'busy' means a page is syncing right now: nothing left for us to do.
self.addEventListener('sync', (event) => {
  const sync = event as SyncEvent;
  if (sync.tag !== SYNC_TAG) return;
  const { syncOnce, SyncFailure } = syncWorker();
  sync.waitUntil(
    syncOnce({ appVersion: typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : 'sw' }).catch((e: unknown) => {
      // Rejecting asks the browser to wake us again later; pointless when a person must act first.
      if (e instanceof SyncFailure && !e.retry) return 'gave up';
      throw e;
    }),
  );
});
