// A fetch for the device's sync engine that reaches the in-process server through app.inject, and
// misbehaves on request the way real networks do: loses the request or the answer, delivers twice,
// answers 500 or 413, or delivers a request only later (after the device gave up on it).
import type { FastifyInstance } from 'fastify';

export type NetFault = 'none' | 'lose-request' | 'lose-answer' | 'deliver-twice' | 'server-error' | 'too-large' | 'deliver-late';

export interface InjectNetwork {
  fetch: typeof globalThis.fetch;
  /** Records per request that reached the server. */
  delivered: number[];
  /** Deliver the requests held back by 'deliver-late' now. */
  flushLate(): Promise<void>;
}

export function injectNetwork(app: FastifyInstance, nextFault: (call: number, records: number) => NetFault = () => 'none'): InjectNetwork {
  const delivered: number[] = [];
  const late: (() => Promise<unknown>)[] = [];
  let calls = 0;
  const flushLate = async () => {
    for (const send of late.splice(0)) await send();
  };
  const send = (async (url: string, init: RequestInit): Promise<Response> => {
    const records = (JSON.parse(String(init.body)) as { records: unknown[] }).records.length;
    const fault = nextFault(++calls, records);
    const deliver = async () => {
      const res = await app.inject({ method: 'POST', url, headers: init.headers as Record<string, string>, payload: String(init.body) });
      delivered.push(records);
      return res;
    };
    // A request held back earlier may reach the server before or after this one.
    if (late.length > 0 && calls % 2 === 0) await flushLate();
    if (fault === 'lose-request') throw new TypeError('Failed to fetch');
    if (fault === 'server-error') return new Response('{"error":{"code":"internal","message":"down"}}', { status: 500 });
    if (fault === 'too-large' && records > 1) return new Response('{"error":{"code":"body_too_large","message":"too big"}}', { status: 413 });
    if (fault === 'deliver-late') {
      late.push(deliver);
      throw new TypeError('Failed to fetch');
    }
    let res = await deliver();
    if (fault === 'deliver-twice') res = await deliver();
    if (fault === 'lose-answer') throw new TypeError('Failed to fetch');
    return new Response(res.body, { status: res.statusCode, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof globalThis.fetch;
  return { fetch: send, delivered, flushLate };
}
