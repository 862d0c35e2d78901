// The lead dashboard is built with the app but never reaches a volunteer's tablet: not in the
// volunteer's page, not in the service worker's precache. Reads the production build in dist/.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
const read = (file: string) => readFileSync(`${dist}${file}`, 'utf8');
const assetsOf = (html: string) => new Set([...html.matchAll(/(?:src|href)="\/?(assets\/[^"]+)"/g)].map((m) => m[1]!));

/** Follow static imports from the page's scripts: every file the page loads. */
function loadedBy(page: string): Set<string> {
  const seen = new Set<string>();
  const queue = [...assetsOf(read(page))];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!file.endsWith('.js')) continue;
    for (const m of read(file).matchAll(/from\s*"\.\/([^"]+)"|import\s*"\.\/([^"]+)"/g)) queue.push(`assets/${m[1] ?? m[2]}`);
  }
  return seen;
}

describe('the lead dashboard in the build', () => {
  const volunteer = loadedBy('index.html');
  const lead = loadedBy('lead.html');
  const leadOnly = [...lead].filter((f) => !volunteer.has(f));

  it('has assets of its own, which the volunteer page never loads', () => {
    expect(leadOnly.some((f) => f.endsWith('.js'))).toBe(true);
    for (const file of volunteer) expect(read(file)).not.toContain('Sign in to Fieldpen');
  });

  it("is not in the service worker's precache: neither lead.html nor any asset only the dashboard loads", () => {
    const sw = read('sw.js');
    const precached = [...sw.matchAll(/url:\s*"([^"]+)"|"url":"([^"]+)"/g)].map((m) => m[1] ?? m[2]);
    expect(precached).toContain('index.html');
    for (const file of volunteer) expect(precached).toContain(file);
    expect(precached).not.toContain('lead.html');
    for (const file of leadOnly) expect(precached).not.toContain(file);
  });
});
