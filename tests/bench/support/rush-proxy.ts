// The load balancer of the rush bench: round robin over the instances (no sticky sessions), passing
// the client's address as X-Forwarded-For, trying the next instance when one refuses the connection
// (it is restarting). And the faults of a day's-end network: an answer dropped after the server
// committed (the tablet resends) and a batch delivered twice (to two instances at once).
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { API } from '../../../src/shared/protocol';

export interface RushProxyOptions {
  upstreams: number[];
  /** Share of batch answers dropped after the server answered 200. */
  dropAnswers: number;
  /** Share of batches delivered twice. */
  duplicates: number;
  random: () => number;
}

export interface RushProxy {
  url: string;
  port: number;
  stats: { requests: number; dropped: number; duplicated: number; retriedElsewhere: number; unreachable: number };
  stop(): Promise<void>;
}

interface Upstream {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export async function startRushProxy(options: RushProxyOptions): Promise<RushProxy> {
  const agent = new Agent({ keepAlive: true, maxSockets: 128 });
  const stats = { requests: 0, dropped: 0, duplicated: 0, retriedElsewhere: 0, unreachable: 0 };
  let next = 0;

  const forward = (port: number, req: IncomingMessage, body: Buffer): Promise<Upstream> =>
    new Promise((resolve, reject) => {
      const headers = { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress ?? '', 'content-length': String(body.length) };
      delete headers.connection;
      const up = httpRequest({ host: '127.0.0.1', port, method: req.method, path: req.url, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      up.on('error', reject);
      up.end(body);
    });

  /** Round robin; an instance that refuses the connection (restarting) is skipped for the next. */
  const deliver = async (req: IncomingMessage, body: Buffer): Promise<Upstream | undefined> => {
    for (let tries = 0; tries < options.upstreams.length; tries++) {
      const port = options.upstreams[next++ % options.upstreams.length]!;
      try {
        return await forward(port, req, body);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'ECONNREFUSED' && code !== 'ECONNRESET') throw e;
        stats.retriedElsewhere++;
      }
    }
    return undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    stats.requests++;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const isBatch = req.method === 'POST' && req.url === API.batches;
    if (isBatch && options.random() < options.duplicates) {
      stats.duplicated++;
      void deliver(req, body).catch(() => {});
    }
    const answer = await deliver(req, body);
    if (!answer) {
      stats.unreachable++;
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'internal', message: 'No instance answered' } }));
      return;
    }
    if (isBatch && answer.status === 200 && options.random() < options.dropAnswers) {
      stats.dropped++;
      res.socket?.destroy();
      return;
    }
    const headers = { ...answer.headers };
    delete headers['transfer-encoding'];
    delete headers.connection;
    headers['content-length'] = String(answer.body.length);
    res.writeHead(answer.status, headers);
    res.end(answer.body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.socket?.destroy());
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        agent.destroy();
      }),
  };
}
