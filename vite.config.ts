/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';
import { VitePWA } from 'vite-plugin-pwa';

export default defineConfig({
  plugins: [
    preact(),
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
      injectManifest: { globPatterns: ['**/*.{js,css,html}'], globIgnores: ['lead.html', 'lead/**', 'assets/lead-*'] },
      devOptions: { enabled: false },
    }),
  ],
  // Dexie's modern ES build: tree-shakable and smaller than the ES5 bundle its package points at.
  resolve: { alias: [{ find: /^dexie$/, replacement: 'dexie/dist/modern/dexie.mjs' }] },
  define: { __APP_VERSION__: JSON.stringify(process.env.npm_package_version ?? '0.0.0') },
  build: {
    target: 'es2022',
    sourcemap: false,
    modulePreload: { polyfill: false },
    rollupOptions: { input: { index: 'index.html', lead: 'lead.html' } },
  },
  test: {
    include: ['tests/{unit,server,browser,chaos}/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 180_000,
    globalSetup: ['tests/global-setup.ts'],
  },
});
