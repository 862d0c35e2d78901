/// <reference types="vitest/config" />
import { build, defineConfig, type Plugin } from 'vite';
import preact from '@preact/preset-vite';
import { VitePWA } from 'vite-plugin-pwa';

const APP_VERSION = JSON.stringify(process.env.npm_package_version ?? '0.0.0');
// Dexie's modern ES build: tree-shakable and smaller than the ES5 bundle its package points at.
const DEXIE_MODERN = { find: /^dexie$/, replacement: 'dexie/dist/modern/dexie.mjs' };

/**
 * The lead dashboard (`lead.html`) is built on its own, after the volunteer app, into the same
 * `dist/`. Built together, the two pages would share a chunk (Preact, the schema) and the volunteer's
 * first load would be two scripts instead of one, each compressed on its own (about 800 bytes more).
 * Its files are named `assets/lead-*`, which the service worker never precaches.
 */
function leadDashboard(): Plugin {
  return {
    name: 'fieldpen-lead-dashboard',
    apply: 'build',
    async closeBundle() {
      await build({
        configFile: false,
        logLevel: 'warn',
        plugins: [preact()],
        resolve: { alias: [DEXIE_MODERN] },
        define: { __APP_VERSION__: APP_VERSION },
        build: {
          target: 'es2022',
          emptyOutDir: false,
          modulePreload: { polyfill: false },
          rollupOptions: {
            input: { lead: 'lead.html' },
            output: { entryFileNames: 'assets/lead-[hash].js', chunkFileNames: 'assets/lead-[name]-[hash].js', assetFileNames: 'assets/lead-[name]-[hash][extname]' },
          },
        },
      });
    },
  };
}

/**
 * The sync engine for Background Sync, as a classic script the service worker imports only when a
 * sync wakes it (sw/sync-worker.ts): `dist/sw-sync.js`, revalidated like sw.js, never precached.
 */
function serviceWorkerSync(): Plugin {
  return {
    name: 'fieldpen-service-worker-sync',
    apply: 'build',
    async closeBundle() {
      await build({
        configFile: false,
        logLevel: 'warn',
        resolve: { alias: [DEXIE_MODERN] },
        define: { __APP_VERSION__: APP_VERSION },
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

export default defineConfig({
  plugins: [
    preact(),
    leadDashboard(),
    serviceWorkerSync(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'sw',
      filename: 'sw.ts',
      injectRegister: false,
      manifest: {
        name: 'Fieldpen',
        short_name: 'Fieldpen',
        description: 'Collect petition signatures door to door, with or without a network.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'any',
        background_color: '#ffffff',
        theme_color: '#1d4ed8',
        icons: [
          { src: '/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      // The lead dashboard is a second page of the same build but never part of a volunteer's
      // offline app: its page and its own assets stay out of the precache (tests/unit/lead-bundle.test.ts).
      injectManifest: { globPatterns: ['**/*.{js,css,html}'], globIgnores: ['lead.html', 'lead/**', 'assets/lead-*', 'sw-sync.js'] },
      devOptions: { enabled: false },
    }),
  ],
  resolve: { alias: [DEXIE_MODERN] },
  define: { __APP_VERSION__: APP_VERSION },
  build: {
    target: 'es2022',
    sourcemap: false,
    modulePreload: { polyfill: false },
    rollupOptions: { input: { index: 'index.html' } },
  },
  test: {
    include: ['tests/{unit,server,browser,chaos}/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 180_000,
    globalSetup: ['tests/global-setup.ts'],
  },
});
