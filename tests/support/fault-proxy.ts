// A fault-injecting HTTP proxy on loopback, between browsers (or any client) and the server: adds
// latency each way, and per request can drop the connection mid-request or mid-response, answer a
// 500 without asking the server, or deliver the request to the server twice. Used by the chaos
// tests and by the sync benchmark (latency only).
import { request as httpRequest, Agent, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type Fault =
  /** Forward as is. */
  | { kind: 'pass' }
  /** Wait this long (on top of latencyMs) before forwarding. */
  | { kind: 'delay'; ms: number }
  /** Read part of the request, then cut the connection: the server never sees it. */
  | { kind: 'drop-request' }
  /** The server handles the request, the client gets half the answer and then a cut connection. */
  | { kind: 'drop-response' }
  /** Answer this status (500 by default) without asking the server. */
  | { kind: 'status'; status?: number }
  /** Deliver the request to the server twice in a row; the client gets the second answer. */
  | { kind: 'twice' };

export interface RequestInfo {
  method: string;
  path: string;
}

export interface ProxyOptions {
  /** Where to forward, e.g. `http://127.0.0.1:8080`. */
  target: string;
  /** Added to each direction: before the request is forwarded and before the answer is returned. */
  latencyMs?: number;
  /** Called once per request with its number (1, 2, 3…) in arrival order; no function means no faults. */
  fault?: (n: number, request: RequestInfo) => Fault;
}

export interface ProxyStats {
  requests: number;
  faults: Record<Fault['kind'], number>;
}

export interface FaultProxy {
  url: string;
  port: number;
  stats: ProxyStats;
  stop(): Promise<void>;
}

const sleep = (ms: number) => (ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve());

export async function startProxy(options: ProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const latency = options.latencyMs ?? 0;
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const sockets = new Set<Socket>();
  const stats: ProxyStats = { requests: 0, faults: { pass: 0, delay: 0, 'drop-request': 0, 'drop-response': 0, status: 0, twice: 0 } };

  const server = createServer((req, res) => {
    const n = ++stats.requests;
    const fault = options.fault?.(n, { method: req.method ?? 'GET', path: req.url ?? '/' }) ?? { kind: 'pass' };
    stats.faults[fault.kind]++;
    void handle(req, res, fault).catch(() => {
      // The server is down or cut us off: answer as a real reverse proxy would, if we still can.
      if (res.headersSent || res.socket?.destroyed) return res.socket?.destroy();
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'internal', message: 'fault proxy: the server did not answer' } }));
    });
  });
  server.keepAliveTimeout = 5_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse, fault: Fault): Promise<void> {
    if (fault.kind === 'drop-request') {
      // Cut once the first bytes of the body (or the headers, for a bodiless request) have arrived.
      const cut = () => req.socket.destroy();
      if (req.headers['content-length'] && req.headers['content-length'] !== '0') req.once('data', cut);
      else cut();
      return;
    }
    const body = await readBody(req);
    await sleep(latency + (fault.kind === 'delay' ? fault.ms : 0));
    if (fault.kind === 'status') {
      const status = fault.status ?? 500;
      await sleep(latency);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'internal', message: `fault proxy answered ${status}` } }));
      return;
    }
    let answer = await forward(req, body);
    if (fault.kind === 'twice') answer = await forward(req, body);
    await sleep(latency);
    if (res.socket?.destroyed) return;
    const headers = { ...answer.headers };
    delete headers['transfer-encoding'];
    headers['content-length'] = String(answer.body.length);
    res.writeHead(answer.status, headers);
    if (fault.kind === 'drop-response') {
      res.write(answer.body.subarray(0, Math.floor(answer.body.length / 2)));
      // Let the half reach the client before the cut, so the client sees a truncated answer.
      setTimeout(() => res.socket?.destroy(), 5);
      return;
    }
    res.end(answer.body);
  }

  function forward(req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const headers = { ...req.headers, host: target.host };
      const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent }, (up) => {
        readBody(up).then((b) => resolve({ status: up.statusCode ?? 502, headers: up.headers, body: b }), reject);
      });
      upstream.on('error', reject);
      upstream.end(body);
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}

function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}
