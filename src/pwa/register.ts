// The one module that talks to the service worker.
//
// workbox-window is what offers a new version; a first visit has no older version to replace, so it
// registers the worker plainly and loads workbox-window (about 2 KB gzip, of a first load held under
// 60 KiB) only once a version newer than the one it installed turns up. A tablet the worker already
// controls loads it once the app has opened.
export interface ServiceWorkerHandle {
  /** The listener (one) is called when a new version is installed and waiting; `apply` activates it and reloads. */
  onUpdateReady(listener: (apply: () => void) => void): void;
}

export function registerServiceWorker(url = '/sw.js'): ServiceWorkerHandle | undefined {
  if (!('serviceWorker' in navigator)) return undefined;
  // A version found before the banner listens is kept for it.
  let waiting: (() => void) | undefined;
  let listener: ((apply: () => void) => void) | undefined;
  const ready = (apply: () => void) => {
    waiting = apply;
    listener?.(apply);
  };
  const offer = () => offerUpdates(url, ready).catch((e: unknown) => console.error('Service worker registration failed', e));
  if (navigator.serviceWorker.controller) {
    // A newer version took over this page's worker: applied from another tab. This page is still the
    // old version, and the files it loads later (the sync engine, screens) may be gone from the
    // worker's cache: the offer becomes a plain reload, shown and held back as any update is.
    navigator.serviceWorker.addEventListener('controllerchange', () => ready(() => window.location.reload()), { once: true });
    // Not while the app opens: the signer form comes first, then the check for a new version.
    if (document.readyState === 'complete') setTimeout(offer, CHECK_AFTER_LOAD_MS);
    else window.addEventListener('load', () => setTimeout(offer, CHECK_AFTER_LOAD_MS), { once: true });
  } else {
    void navigator.serviceWorker.register(url).then(
      (registration) => {
        // The first install finds the registration without an active worker; anything installing
        // while one is active is a new version.
        const onFound = () => {
          if (!registration.active) return;
          registration.removeEventListener('updatefound', onFound);
          void offer();
        };
        registration.addEventListener('updatefound', onFound);
      },
      (e: unknown) => console.error('Service worker registration failed', e),
    );
  }
  return {
    onUpdateReady: (l) => {
      listener = l;
      if (waiting) l(waiting);
    },
  };
}

const CHECK_AFTER_LOAD_MS = 1000;

async function offerUpdates(url: string, ready: (apply: () => void) => void): Promise<void> {
  const { Workbox } = await import('workbox-window');
  const wb = new Workbox(url);
  const apply = () => {
    // Reload once the new worker has taken over. The caller decides when: never with a form in progress.
    wb.addEventListener('controlling', () => window.location.reload());
    wb.messageSkipWaiting();
  };
  // Also told of a version that was already waiting when this page registered.
  wb.addEventListener('waiting', () => ready(apply));
  await wb.register();
}
