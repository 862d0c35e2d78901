/// <reference lib="webworker" />
// The service worker only wires events: precache the app shell, answer navigations with it offline.
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { clientsClaim } from 'workbox-core';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (string | { url: string; revision: string | null })[] };

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
