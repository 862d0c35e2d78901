import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Harness } from './harness';

const INDEX = '<!doctype html><title>Fieldpen</title>';
const LEAD = '<!doctype html><title>Fieldpen — leads and organizers</title>';
let dist: string;
let server: Harness;

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'fieldpen-dist-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), INDEX);
  writeFileSync(join(dist, 'lead.html'), LEAD);
  writeFileSync(join(dist, 'sw.js'), 'self.addEventListener("fetch", () => {});');
  writeFileSync(join(dist, 'manifest.webmanifest'), '{"name":"Fieldpen"}');
  writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log(1);');
  writeFileSync(join(dist, 'icon-192.png'), 'png');
  server = await startServer({ staticDir: dist });
});
afterAll(async () => {
  await server.stop();
  rmSync(dist, { recursive: true, force: true });
});

const get = (url: string, method: 'GET' | 'HEAD' = 'GET') => server.app.inject({ method, url });

describe('the built app, served from the same origin', () => {
  it.each(['/', '/index.html', '/sw.js', '/manifest.webmanifest'])('%s is revalidated on every load, so updates reach the device', async (url) => {
    const response = await get(url);
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-cache');
  });

  it('hashed assets are cached for a year', async () => {
    const response = await get('/assets/index-abc123.js');
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('a navigation to an app route gets the page, uncached', async () => {
    const response = await get('/drive/today?tab=2');
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(INDEX);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['cache-control']).toBe('no-cache');
  });

  it.each(['/lead', '/lead/drives/1'])('%s gets the lead dashboard page, not the volunteer app', async (url) => {
    const response = await get(url);
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(LEAD);
    expect(response.headers['cache-control']).toBe('no-cache');
  });

  it('HEAD works for files and for app routes', async () => {
    const file = await get('/sw.js', 'HEAD');
    const route = await get('/drive/today', 'HEAD');
    expect([file.statusCode, route.statusCode]).toEqual([200, 200]);
    expect(route.body).toBe('');
  });

  it('a missing asset is a 404, not the page', async () => {
    const response = await get('/assets/index-gone.js');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('an unknown API route stays a JSON 404', async () => {
    const response = await get('/api/v1/nothing');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});

describe('without a built app', () => {
  it('the API still runs and other addresses get a JSON 404', async () => {
    const bare = await startServer({ staticDir: join(dist, 'missing') });
    try {
      const response = await bare.app.inject({ method: 'GET', url: '/' });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ error: { code: 'not_found' } });
    } finally {
      await bare.stop();
    }
  });
});
