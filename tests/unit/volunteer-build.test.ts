// What the volunteer's tablet starts with, in the production build (dist/): the page reads the boot
// copy early, and its script is a classic one, which the browser need not compile again on each start.
// (The service worker's own script: src/build/service-worker-sync.test.ts.)
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
const read = (file: string) => readFileSync(`${dist}${file}`, 'utf8');

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
