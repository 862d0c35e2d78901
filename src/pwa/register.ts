// The one module that talks to the service worker.
//
// workbox-window is what offers a new version; a first visit has no older version to replace, so it
// registers the worker plainly and loads workbox-window (about 2 KB gzip, of a first load held under
// 60 KiB) only once a version newer than the one it installed turns up. A tablet the worker already
// controls loads it once the app has opened.
export interface ServiceWorkerHandle {
  /** Called when a new version is installed and waiting; `apply` activates it and reloads. */
  onUpdateReady(listener: (apply: () => void) => void): void;
}

export function registerServiceWorker(url = '/sw.js'): ServiceWorkerHandle | undefined {
  if (!('serviceWorker' in navigator)) return undefined;
  const update = new UpdateOffer();
  const failed = (e: unknown) => console.error('Service worker registration failed', e);
  if (navigator.serviceWorker.controller) {
    // Not while the app opens: the signer form comes first, then the check for a new version.
    afterLoad(() => offerUpdates(url, update).catch(failed));
  } else {
    navigator.serviceWorker
      .register(url)
      .then((registration) => {
        // The first install finds the registration without an active worker; anything installing
        // while one is active is a new version.
        const onFound = () => {
          if (!registration.active) return;
          registration.removeEventListener('updatefound', onFound);
          offerUpdates(url, update).catch(failed);
        };
        registration.addEventListener('updatefound', onFound);
      })
      .catch(failed);
  }
  return { onUpdateReady: (listener) => update.listen(listener) };
}

/** A new version, once one is waiting: told to listeners that come before or after. */
class UpdateOffer {
  private apply: (() => void) | undefined;
  private readonly listeners: ((apply: () => void) => void)[] = [];

  listen(listener: (apply: () => void) => void): void {
    this.listeners.push(listener);
    if (this.apply) listener(this.apply);
  }

  ready(apply: () => void): void {
    this.apply = apply;
    for (const listener of this.listeners) listener(apply);
  }
}

function afterLoad(run: () => void): void {
  const idle = () => ('requestIdleCallback' in window ? requestIdleCallback(() => run(), { timeout: 2000 }) : setTimeout(run, 200));
  if (document.readyState === 'complete') idle();
  else window.addEventListener('load', idle, { once: true });
}

async function offerUpdates(url: string, update: UpdateOffer): Promise<void> {
  const { Workbox } = await import('workbox-window');
  const wb = new Workbox(url);
  const apply = () => {
    // Reload once the new worker has taken over. The caller decides when: never with a form in progress.
    wb.addEventListener('controlling', () => window.location.reload());
    wb.messageSkipWaiting();
  };
  // Also told of a version that was already waiting when this page registered.
  wb.addEventListener('waiting', () => update.ready(apply));
  await wb.register();
}
