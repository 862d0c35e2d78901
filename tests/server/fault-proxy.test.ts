// The chaos tests' proxy does what it promises: each fault reaches the client and the server as a
// real network fault would.
import { createServer, type Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startProxy, type Fault, type FaultProxy } from '../support/fault-proxy';

let upstream: Server;
let target: string;
let seen: string[];
let proxy: FaultProxy | undefined;

beforeEach(async () => {
  seen = [];
  upstream = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push(body);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ echo: body, n: seen.length, pad: 'x'.repeat(2000) }));
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const a = upstream.address();
  target = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});

afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
  await new Promise<void>((r) => upstream.close(() => r()));
});

const post = (url: string, body: string) => fetch(url + '/api/x', { method: 'POST', body, headers: { 'content-type': 'application/json' } });

describe('the fault proxy', () => {
  it('passes requests and answers through unchanged when there are no faults', async () => {
    proxy = await startProxy({ target });
    const res = await post(proxy.url, 'hello');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { echo: string }).echo).toBe('hello');
    expect(seen).toEqual(['hello']);
  });

  it('drops a request before the server sees it', async () => {
    proxy = await startProxy({ target, fault: () => ({ kind: 'drop-request' }) });
    await expect(post(proxy.url, 'lost')).rejects.toThrow();
    expect(seen).toEqual([]);
  });

  it('lets the server handle a request and then cuts the answer in half', async () => {
    proxy = await startProxy({ target, fault: () => ({ kind: 'drop-response' }) });
    await expect(post(proxy.url, 'handled').then((r) => r.text())).rejects.toThrow();
    expect(seen).toEqual(['handled']);
  });

  it('answers a 500 without asking the server', async () => {
    proxy = await startProxy({ target, fault: () => ({ kind: 'status' }) });
    const res = await post(proxy.url, 'refused');
    expect(res.status).toBe(500);
    expect(seen).toEqual([]);
  });

  it('delivers a request to the server twice and returns the second answer', async () => {
    proxy = await startProxy({ target, fault: () => ({ kind: 'twice' }) });
    const res = await post(proxy.url, 'again');
    expect(((await res.json()) as { n: number }).n).toBe(2);
    expect(seen).toEqual(['again', 'again']);
  });

  it('numbers requests in arrival order and counts the faults it injected', async () => {
    const schedule: Fault[] = [{ kind: 'pass' }, { kind: 'status', status: 503 }, { kind: 'delay', ms: 20 }];
    proxy = await startProxy({ target, latencyMs: 5, fault: (n) => schedule[n - 1] ?? { kind: 'pass' } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(proxy.url, `r${i}`)).status);
    expect(statuses).toEqual([200, 503, 200]);
    expect(seen).toEqual(['r0', 'r2']);
    expect(proxy.stats).toMatchObject({ requests: 3, faults: { pass: 1, status: 1, delay: 1 } });
  });

  it('answers 502 when the server is gone', async () => {
    proxy = await startProxy({ target: 'http://127.0.0.1:1' });
    expect((await post(proxy.url, 'nobody')).status).toBe(502);
  });
});
