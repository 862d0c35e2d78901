// The sync engine for Background Sync, as a classic script the service worker imports only when a
// sync wakes it (sw/sync-worker.ts): `dist/sw-sync.js`, revalidated like sw.js, never precached.
import { build, type Plugin, type UserConfig } from 'vite';

/** `shared`: what this build takes from the main one (its aliases and defines). */
export function serviceWorkerSync(shared: Pick<UserConfig, 'resolve' | 'define'>): Plugin {
  return {
    name: 'fieldpen-service-worker-sync',
    apply: 'build',
    async closeBundle() {
      await build({
        ...shared,
        configFile: false,
        logLevel: 'warn',
        build: {
          target: 'es2022',
          emptyOutDir: false,
          copyPublicDir: false,
          lib: { entry: 'sw/sync-worker.ts', formats: ['iife'], name: 'fieldpenSyncWorker', fileName: () => 'sw-sync.js' },
        },
      });
    },
  };
}
