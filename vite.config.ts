/// <reference types="vitest/config" />
// The build only composes: each plugin of our own is a file in src/build/, with its test beside it.
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';
import { VitePWA } from 'vite-plugin-pwa';
import { classicEntryScript } from './src/build/classic-entry.ts';
import { leadDashboard } from './src/build/lead-dashboard.ts';
import { serviceWorkerSync } from './src/build/service-worker-sync.ts';

const APP_VERSION = JSON.stringify(process.env.npm_package_version ?? '0.0.0');
// Dexie's modern ES build: tree-shakable and smaller than the ES5 bundle its package points at.
const DEXIE_MODERN = { find: /^dexie$/, replacement: 'dexie/dist/modern/dexie.mjs' };
// What the two builds of their own (the lead dashboard, the sync worker) share with this one.
const shared = { resolve: { alias: [DEXIE_MODERN] }, define: { __APP_VERSION__: APP_VERSION } };

export default defineConfig({
  plugins: [
    preact(),
    classicEntryScript(),
    leadDashboard(shared),
    serviceWorkerSync(shared),
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
      // offline app: its page and its own assets stay out of the precache (src/build/lead-dashboard.test.ts).
      injectManifest: { globPatterns: ['**/*.{js,css,html}'], globIgnores: ['lead.html', 'lead/**', 'assets/lead-*', 'sw-sync.js'] },
      devOptions: { enabled: false },
    }),
  ],
  ...shared,
  build: {
    target: 'es2022',
    sourcemap: false,
    modulePreload: { polyfill: false },
    rollupOptions: { input: { index: 'index.html' } },
  },
  test: {
    include: ['tests/{unit,server,browser,chaos}/**/*.test.ts', 'src/build/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 180_000,
    globalSetup: ['tests/global-setup.ts'],
  },
});
