// Every answer carries the headers that keep pages from being framed, sniffed or fed a foreign
// script; every API answer, which may carry a signer or a secret, is kept out of caches.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEAD_API } from '../../src/shared/lead-api';
import { accountSession, asSession, createTestDrive, startServer, type Harness } from './harness';

const BOOT = "try{window.__bootCopy=localStorage.getItem('fieldpen-boot')}catch(e){}";
let dist: string;
let server: Harness;

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'fieldpen-dist-'));
  writeFileSync(join(dist, 'index.html'), `<!doctype html><title>Fieldpen</title><script>${BOOT}</script><script defer src="/assets/a.js"></script>`);
  writeFileSync(join(dist, 'lead.html'), '<!doctype html><title>Fieldpen — leads</title><script type="module" src="/assets/b.js"></script>');
  server = await startServer({ staticDir: dist });
});
afterAll(async () => {
  await server.stop();
  rmSync(dist, { recursive: true, force: true });
});

function policy(header: unknown): Map<string, string> {
  return new Map(
    String(header)
      .split(';')
      .map((part) => part.trim().split(/\s+(.*)/) as [string, string]),
  );
}

describe('security headers', () => {
  it('the page allows its own scripts and the boot script by hash, nothing inline else, and no framing', async () => {
    const page = await server.app.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(200);
    const csp = policy(page.headers['content-security-policy']);
    const bootHash = `'sha256-${createHash('sha256').update(BOOT).digest('base64')}'`;
    expect(csp.get('script-src')).toBe(`'self' ${bootHash}`);
    expect(csp.get('script-src')).not.toContain('unsafe-inline');
    expect(csp.get('frame-ancestors')).toBe("'none'");
    expect(csp.get('object-src')).toBe("'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['permissions-policy']).toContain('camera=()');
  });

  it('the session answer with its CSRF token, the dashboard, a new account with its one-time password: all no-store', async () => {
    const { drive } = await createTestDrive(server.db);
    const organizer = await accountSession(server, 'organizer');
    const answers = [
      await server.app.inject({ method: 'POST', url: LEAD_API.session, payload: { email: 'nobody@example.org', password: 'wrong password here' } }),
      await asSession(server.app, organizer, 'GET', LEAD_API.session),
      await asSession(server.app, organizer, 'GET', LEAD_API.dashboard(drive.id)),
      await asSession(server.app, organizer, 'POST', LEAD_API.accounts, { email: 'lead-nostore@example.org', name: 'A Lead' }),
      await server.app.inject({ method: 'GET', url: '/api/v1/nothing-here' }),
    ];
    expect(answers.map((a) => a.statusCode)).toEqual([401, 200, 200, 201, 404]);
    for (const answer of answers) {
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(answer.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    }
  });
});
