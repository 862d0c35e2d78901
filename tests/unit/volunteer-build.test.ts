// What the volunteer's tablet starts with, in the production build (dist/): the service worker starts
// for every navigation, so its own script stays small (the sync engine and Dexie are a script of
// their own that Background Sync loads, sw/sync-worker.ts); the page reads the boot copy early, and
// its script is a classic one, which the browser need not compile again on each start.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
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

describe('the page in the build', () => {
  it("reads the boot copy where src/storage/settings.ts keeps it, while the app's script loads", async () => {
    const { BOOT_COPY_KEY } = await import('../../src/storage/settings');
    const html = read('index.html');
    const inline = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    expect(inline).toContain(`window.__bootCopy=localStorage.getItem('${BOOT_COPY_KEY}')`);
  });

  it("loads the app's script as a classic script, whose compiled code Chromium keeps with the service worker's cache", () => {
    const html = read('index.html');
    const src = /<script defer src="\/(assets\/index-[\w-]+\.js)"><\/script>/.exec(html)?.[1];
    expect(src).toBeDefined();
    expect(html).not.toContain('type="module"');
    // No import, export or import.meta: it compiles as a script.
    expect(() => new Script(read(src!), { filename: src! })).not.toThrow();
  });
});
