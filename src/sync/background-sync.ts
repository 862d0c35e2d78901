// Background Sync is only a wake-up call: where the browser has it, the service worker's `sync`
// event runs the same engine, under the same lock, on the same Dexie records, which stay the system of
// record. Nothing is queued in it: a dropped or expired registration loses nothing (Workbox's queue
// drops a request on a 4xx/5xx answer and after 7 days; Safari and Firefox have no Background Sync).
export const SYNC_TAG = 'fieldpen-sync';

interface SyncManagerLike {
  register(tag: string): Promise<void>;
}

/** Ask the browser to wake the service worker for a sync when it has a network. False where it cannot. */
export async function requestBackgroundSync(): Promise<boolean> {
  try {
    if (typeof navigator === 'undefined' || !navigator.serviceWorker?.controller) return false;
    const registration = (await navigator.serviceWorker.ready) as ServiceWorkerRegistration & { sync?: SyncManagerLike };
    if (!registration.sync) return false;
    await registration.sync.register(SYNC_TAG);
    return true;
  } catch {
    // Refused (permission, private mode): the app's own schedule still syncs.
    return false;
  }
}
