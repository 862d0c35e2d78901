// The one module that talks to the service worker.
import { Workbox } from 'workbox-window';

export interface ServiceWorkerHandle {
  /** Called when a new version is installed and waiting; `apply` activates it and reloads. */
  onUpdateReady(listener: (apply: () => void) => void): void;
}

export function registerServiceWorker(url = '/sw.js'): ServiceWorkerHandle | undefined {
  if (!('serviceWorker' in navigator)) return undefined;
  const wb = new Workbox(url);
  const listeners: ((apply: () => void) => void)[] = [];
  const apply = () => {
    // Reload once the new worker has taken over. The caller decides when: never with a form in progress.
    wb.addEventListener('controlling', () => window.location.reload());
    wb.messageSkipWaiting();
  };
  wb.addEventListener('waiting', () => listeners.forEach((l) => l(apply)));
  wb.register().catch((e: unknown) => console.error('Service worker registration failed', e));
  return { onUpdateReady: (listener) => void listeners.push(listener) };
}
