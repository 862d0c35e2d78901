// The edges of the server a reviewer found: unreadable cookies and URLs, forwarded headers taken from
// anyone, the Origin check, the public address in QR codes, and a live stream that cannot start.
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicOriginFrom, trustProxyFrom } from '../../src/server/proxy-config';
import { CSRF_HEADER, LEAD_API, SESSION_COOKIE, type EnrollmentCodeInfo } from '../../src/shared/lead-api';
import { API, PROTOCOL_VERSION } from '../../src/shared/protocol';
import { accountSession, createTestDrive, startServer, type Harness, type Session } from './harness';

let server: Harness;
let organizer: Session;

beforeAll(async () => {
  server = await startServer();
  organizer = await accountSession(server, 'organizer');
});
afterAll(() => server.stop());

describe('an unreadable session cookie', () => {
  it('is no session: 401, not 500', async () => {
    for (const cookie of [`${SESSION_COOKIE}=%`, `${SESSION_COOKIE}=%zz`, `${SESSION_COOKIE}=%E0%A4%A`, `other=%; ${SESSION_COOKIE}=%G1`]) {
      const response = await server.app.inject({ method: 'GET', url: LEAD_API.session, headers: { cookie } });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ error: { code: 'unauthorized' } });
    }
  });

  it('next to a good one does not hide it', async () => {
    const response = await server.app.inject({ method: 'GET', url: LEAD_API.session, headers: { cookie: `junk=%; ${organizer.cookie}` } });
    expect(response.statusCode).toBe(200);
  });
});

describe('badly formed addresses', () => {
  it('answer the documented error body: 400 invalid_url for a broken % escape', async () => {
    for (const url of ['/api/v1/%', '/api/v1/drives/%zz/dashboard', '/%']) {
      const response = await server.app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ error: { code: 'invalid_url', message: expect.stringMatching(/%/) } });
    }
  });

  it('answer 404 not_found for a path that climbs out with ..', async () => {
    const withFiles = await startServer({ staticDir: new URL('../../public', import.meta.url).pathname });
    try {
      await withFiles.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = withFiles.app.server.address() as AddressInfo;
      // Sent as is, over a socket: inject would tidy the path first.
      for (const path of ['/../package.json', '/assets/../../package.json', '/%2e%2e/package.json', '/api/v1/../../x']) {
        const { status, body } = await rawGet(port, path);
        expect(status).toBe(404);
        expect(JSON.parse(body)).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
      }
    } finally {
      await withFiles.stop();
    }
  });
});

describe('the Origin check', () => {
  it('compares scheme, host and port, not the host alone', async () => {
    const { drive } = await createTestDrive(server.db, 'Origins');
    const patch = (origin: string) =>
      server.app.inject({
        method: 'PATCH',
        url: LEAD_API.drive(drive.id),
        headers: { cookie: organizer.cookie, [CSRF_HEADER]: organizer.csrf, origin, host: 'fieldpen.example:8080' },
        payload: { goal: 7 },
      });
    for (const foreign of ['https://fieldpen.example:8080', 'http://fieldpen.example', 'http://fieldpen.example:8081', 'null']) {
      const response = await patch(foreign);
      expect(response.statusCode).toBe(403);
      expect(response.json()).toMatchObject({ error: { code: 'csrf' } });
    }
    expect((await server.db.selectFrom('drives').select('goal').where('id', '=', drive.id).executeTakeFirstOrThrow()).goal).toBe(1000);
    expect((await patch('http://fieldpen.example:8080')).statusCode).toBe(200);
  });

  it('believes X-Forwarded-Host and -Proto only from a trusted proxy', async () => {
    const { drive } = await createTestDrive(server.db, 'Forwarded');
    // No TRUST_PROXY: anyone can write these headers, so they count for nothing.
    const forged = await server.app.inject({
      method: 'PATCH',
      url: LEAD_API.drive(drive.id),
      headers: {
        cookie: organizer.cookie,
        [CSRF_HEADER]: organizer.csrf,
        origin: 'https://evil.example',
        host: 'fieldpen.example',
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'https',
      },
      payload: { goal: 9 },
    });
    expect(forged.statusCode).toBe(403);

    const proxied = await startServer({ server: { trustProxy: 1 } });
    try {
      const { drive: own } = await createTestDrive(proxied.db, 'Behind Caddy');
      const boss = await accountSession(proxied, 'organizer');
      const viaProxy = await proxied.app.inject({
        method: 'PATCH',
        url: LEAD_API.drive(own.id),
        remoteAddress: '127.0.0.1',
        headers: {
          cookie: boss.cookie,
          [CSRF_HEADER]: boss.csrf,
          origin: 'https://fieldpen.example.org',
          host: '127.0.0.1:8080',
          'x-forwarded-host': 'fieldpen.example.org',
          'x-forwarded-proto': 'https',
        },
        payload: { goal: 9 },
      });
      expect(viaProxy.statusCode).toBe(200);
    } finally {
      await proxied.stop();
    }
  });
});

describe('the session cookie', () => {
  it('is Secure only when the request really came over https', async () => {
    const { email } = await server.db.selectFrom('accounts').select('email').where('id', '=', organizer.accountId).executeTakeFirstOrThrow();
    const signIn = (headers: Record<string, string>) =>
      server.app.inject({ method: 'POST', url: LEAD_API.session, headers, payload: { email, password: 'correct horse battery staple' } });
    const forged = await signIn({ 'x-forwarded-proto': 'https' });
    expect(forged.statusCode).toBe(201);
    expect(String(forged.headers['set-cookie'])).not.toMatch(/Secure/);

    const behindTls = await startServer({ server: { publicOrigin: 'https://fieldpen.example.org' } });
    try {
      const boss = await accountSession(behindTls, 'organizer');
      const { email: bossEmail } = await behindTls.db.selectFrom('accounts').select('email').where('id', '=', boss.accountId).executeTakeFirstOrThrow();
      const response = await behindTls.app.inject({
        method: 'POST',
        url: LEAD_API.session,
        payload: { email: bossEmail, password: 'correct horse battery staple' },
      });
      expect(String(response.headers['set-cookie'])).toMatch(/; Secure/);
    } finally {
      await behindTls.stop();
    }
  });
});

describe('the enrollment QR code', () => {
  const qrOf = (url: string) => QRCode.toString(url, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });

  it("opens the operator's PUBLIC_URL, whatever Host the request carried", async () => {
    const published = await startServer({ server: { publicOrigin: 'https://fieldpen.example.org' } });
    try {
      const { drive } = await createTestDrive(published.db, 'Public');
      const lead = await accountSession(published, 'lead', [drive.id]);
      const response = await published.app.inject({
        method: 'POST',
        url: LEAD_API.codes(drive.id),
        headers: { cookie: lead.cookie, [CSRF_HEADER]: lead.csrf, host: 'evil.example' },
        payload: { uses: 1, hours: 1 },
      });
      expect(response.statusCode).toBe(201);
      const code = response.json<EnrollmentCodeInfo>();
      expect(code.qrSvg).toBe(await qrOf(`https://fieldpen.example.org/#enroll=${code.code}`));
    } finally {
      await published.stop();
    }
  });

  it('without PUBLIC_URL opens the address the request reached, ignoring forged forwarded headers', async () => {
    const { drive } = await createTestDrive(server.db, 'No public URL');
    const response = await server.app.inject({
      method: 'POST',
      url: LEAD_API.codes(drive.id),
      headers: {
        cookie: organizer.cookie,
        [CSRF_HEADER]: organizer.csrf,
        host: 'tablets.local:8080',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'evil.example',
      },
      payload: { uses: 1, hours: 1 },
    });
    const code = response.json<EnrollmentCodeInfo>();
    expect(code.qrSvg).toBe(await qrOf(`http://tablets.local:8080/#enroll=${code.code}`));
  });
});

describe('TRUST_PROXY', () => {
  it('reads a number of hops, or the proxies\' addresses; never "everyone"', () => {
    expect(trustProxyFrom(undefined)).toBe(false);
    expect(trustProxyFrom('0')).toBe(false);
    expect(trustProxyFrom('1')).toBe(1);
    expect(trustProxyFrom('true')).toBe(1);
    expect(trustProxyFrom('2')).toBe(2);
    expect(trustProxyFrom('127.0.0.1, 10.0.0.0/8,::1')).toEqual(['127.0.0.1', '10.0.0.0/8', '::1']);
    expect(() => trustProxyFrom('proxy.example')).toThrow(/TRUST_PROXY/);
    expect(() => trustProxyFrom('10.0.0.0/33')).toThrow(/TRUST_PROXY/);
    expect(publicOriginFrom('https://fieldpen.example.org/')).toBe('https://fieldpen.example.org');
    expect(() => publicOriginFrom('fieldpen.example.org')).toThrow(/PUBLIC_URL/);
    expect(() => publicOriginFrom('https://fieldpen.example.org/app')).toThrow(/PUBLIC_URL/);
  });

  it('=1 keys the rate limits on the address the proxy saw, not on what the client wrote first', async () => {
    const proxied = await startServer({ server: { trustProxy: 1 } });
    try {
      // Caddy appends the client's address: the client's own X-Forwarded-For entries come first.
      const wrong = (forged: string) =>
        proxied.app.inject({
          method: 'POST',
          url: API.enroll,
          remoteAddress: '127.0.0.1',
          headers: { 'x-forwarded-for': `${forged}, 198.51.100.7` },
          payload: { protocol: PROTOCOL_VERSION, code: 'ZZZZ-ZZZZ' },
        });
      for (let i = 0; i < 3; i++) expect((await wrong(`203.0.113.${i}`)).statusCode).toBe(400);
      const counted = await proxied.db.selectFrom('failed_attempts').select(['key', 'failures']).where('key', 'like', 'code:%').execute();
      expect(counted).toEqual([{ key: 'code:198.51.100.7', failures: 3 }]);
    } finally {
      await proxied.stop();
    }
  });

  it('as a list trusts only those proxies', async () => {
    const proxied = await startServer({ server: { trustProxy: ['10.0.0.5'] } });
    try {
      const from = (remoteAddress: string) =>
        proxied.app.inject({
          method: 'POST',
          url: API.enroll,
          remoteAddress,
          headers: { 'x-forwarded-for': '198.51.100.9' },
          payload: { protocol: PROTOCOL_VERSION, code: 'ZZZZ-ZZZZ' },
        });
      await from('10.0.0.5');
      await from('192.0.2.1');
      const keys = (await proxied.db.selectFrom('failed_attempts').select('key').where('key', 'like', 'code:%').orderBy('key').execute()).map((r) => r.key);
      expect(keys).toEqual(['code:192.0.2.1', 'code:198.51.100.9']);
    } finally {
      await proxied.stop();
    }
  });
});

describe('a live stream whose first figures cannot be read', () => {
  it('ends with an error event instead of hanging open with headers only', async () => {
    const broken = await startServer();
    try {
      const { drive } = await createTestDrive(broken.db, 'Broken');
      const lead = await accountSession(broken, 'lead', [drive.id]);
      // The drive is there, its figures are not: every dashboard read now fails.
      await sql`DROP TABLE signature_tallies`.execute(broken.db);
      await broken.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = broken.app.server.address() as AddressInfo;
      const { status, body } = await rawGet(port, LEAD_API.events(drive.id), { cookie: lead.cookie }, 5_000);
      expect(status).toBe(200);
      expect(body).toMatch(/event: error\ndata: (.*)\n\n/);
      expect(JSON.parse(/event: error\ndata: (.*)\n/.exec(body)![1]!)).toMatchObject({ error: { code: 'internal' } });
      expect(body).not.toContain('event: dashboard');
    } finally {
      await broken.stop();
    }
  });
});

/** A GET over a socket with the path exactly as given; rejects if the answer has not ended in `ms`. */
function rawGet(port: number, path: string, headers: Record<string, string> = {}, ms = 5_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: { accept: 'application/json', ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no end to ${path} within ${ms} ms`));
    }, ms);
    req.on('error', reject);
    req.end();
  });
}
