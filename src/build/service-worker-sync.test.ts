// The service worker starts for every navigation, so its own script stays small: the sync engine and
// Dexie are a classic script of their own (src/build/service-worker-sync.ts) that Background Sync
// loads. Reads the production build in dist/.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
const read = (file: string) => readFileSync(`${dist}${file}`, 'utf8');

describe('the service worker in the build', () => {
  it('keeps Dexie and the sync engine out of its own script, in a script it imports when installing', () => {
    const sw = read('sw.js');
    const sync = read('sw-sync.js');
    expect(sw).not.toMatch(/Dexie|storagemutated/);
    expect(sw).toContain('/sw-sync.js');
    expect(sync).toMatch(/Dexie/);
    expect(sync).toContain('self.fieldpenSync=');
    // A classic script: importScripts cannot run a module.
    expect(sync).not.toMatch(/^\s*(import|export)\s/m);
    expect(sw.length).toBeLessThan(sync.length / 3);
  });

  it('does not precache the sync script: the worker stores it when it imports it', () => {
    const precached = [...read('sw.js').matchAll(/"url":"([^"]+)"/g)].map((m) => m[1]);
    expect(precached).toContain('index.html');
    expect(precached).not.toContain('sw-sync.js');
  });
});
