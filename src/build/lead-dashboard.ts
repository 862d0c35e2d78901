// The lead dashboard (`lead.html`) is built on its own, after the volunteer app, into the same
// `dist/`. Built together, the two pages would share a chunk (Preact, the schema) and the volunteer's
// first load would be two scripts instead of one, each compressed on its own (about 800 bytes more).
// Its files are named `assets/lead-*`, which the service worker never precaches.
import preact from '@preact/preset-vite';
import { build, type Plugin, type UserConfig } from 'vite';

/** `shared`: what this build takes from the main one (its aliases and defines). */
export function leadDashboard(shared: Pick<UserConfig, 'resolve' | 'define'>): Plugin {
  return {
    name: 'fieldpen-lead-dashboard',
    apply: 'build',
    async closeBundle() {
      await build({
        ...shared,
        configFile: false,
        logLevel: 'warn',
        plugins: [preact()],
        build: {
          target: 'es2022',
          emptyOutDir: false,
          modulePreload: { polyfill: false },
          rollupOptions: {
            input: { lead: 'lead.html' },
            output: {
              entryFileNames: 'assets/lead-[hash].js',
              chunkFileNames: 'assets/lead-[name]-[hash].js',
              assetFileNames: 'assets/lead-[name]-[hash][extname]',
            },
          },
        },
      });
    },
  };
}
