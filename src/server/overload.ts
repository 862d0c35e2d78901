// Overload is answered, not suffered: at day's end every tablet of a city syncs within minutes, and an
// instance that queued them all would let each wait past its timeout (the tablet then resends, adding
// load). Past its bounds an instance answers at once — 503 `overloaded` when the instance itself is
// saturated (the tablet, or the load balancer, tries again after Retry-After, maybe elsewhere), 429
// `rate_limited` when one caller asks for more than its share (its own excess; other callers are
// served) — and while it shuts down (a rolling restart) it answers 503 with `Connection: close`.
import { getHeapStatistics } from 'node:v8';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { API } from '../shared/protocol';
import { apiError } from './api-problem';

export interface OverloadLimits {
  /** Batches being filed at once on this instance. */
  batchesInFlight: number;
  /**
   * How long the oldest batch being filed may have taken before new ones are turned away: a count
   * alone lets a starved instance (slow disk, busy CPU) queue batches until they time out.
   */
  batchWaitMs: number;
  /** Batches of one device token at once (the app sends up to three, BATCHES_IN_FLIGHT; a resend may add one). */
  batchesPerDevice: number;
  /** API requests from one client address at once (behind a proxy: set TRUST_PROXY, or every client is the proxy). */
  requestsPerAddress: number;
  /** Requests waiting for a PostgreSQL connection before new batches are turned away. */
  poolQueue: number;
  /** Share of the JavaScript heap in use before new batches are turned away. */
  heapFraction: number;
  /** What Retry-After says, in seconds. */
  retryAfterS: number;
}

export const DEFAULT_LIMITS: OverloadLimits = {
  batchesInFlight: 32,
  batchWaitMs: 2_000,
  batchesPerDevice: 4,
  requestsPerAddress: 64,
  poolQueue: 20,
  heapFraction: 0.85,
  retryAfterS: 2,
};

/** The environment's names for the limits (documented in the README's configuration table). */
const ENV: Record<keyof OverloadLimits, string> = {
  batchesInFlight: 'MAX_BATCHES_IN_FLIGHT',
  batchWaitMs: 'MAX_BATCH_WAIT_MS',
  batchesPerDevice: 'MAX_BATCHES_PER_DEVICE',
  requestsPerAddress: 'MAX_REQUESTS_PER_ADDRESS',
  poolQueue: 'MAX_DB_QUEUE',
  heapFraction: 'MAX_HEAP_FRACTION',
  retryAfterS: 'RETRY_AFTER_SECONDS',
};

/** Limits from the environment; a value that is not a positive number is named in the thrown message. */
export function limitsFromEnv(env: Record<string, string | undefined>): OverloadLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(ENV) as (keyof OverloadLimits)[]) {
    const raw = env[ENV[key]];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    const fraction = key === 'heapFraction';
    if (!(value > 0) || (fraction ? value > 1 : !Number.isInteger(value))) {
      throw new Error(`${ENV[key]}=${raw} is not ${fraction ? 'a fraction between 0 and 1' : 'a positive whole number'}`);
    }
    limits[key] = value;
  }
  return limits;
}

export interface OverloadGuard {
  /** Stop taking requests: each new one gets 503 and its connection is closed (SIGTERM). */
  drain(): void;
  /** Batches being filed now. */
  batchesInFlight(): number;
}

const HEAP_CHECK_MS = 200;

/**
 * Install the bounds on every API request (`onRequest`, before the body is read or the token is
 * looked up, so a turned-away request costs next to nothing). `poolQueue` tells how many queries
 * wait for a database connection (PostgreSQL); absent for SQLite, where the batch bound is the queue.
 */
export function guardAgainstOverload(app: FastifyInstance, limits: OverloadLimits, poolQueue?: () => number): OverloadGuard {
  let draining = false;
  let batches = 0;
  const perDevice = new Map<string, number>();
  const perAddress = new Map<string, number>();
  let heapCheckedAt = 0;
  let heapHigh = false;
  const slots = new WeakMap<FastifyRequest, { releaseBatch: () => void; handling: boolean }>();
  /** When each batch being filed arrived: the oldest tells whether the instance keeps up. */
  const started = new Set<{ at: number }>();
  const oldestWaitMs = (now: number): number => {
    let oldest = now;
    for (const s of started) if (s.at < oldest) oldest = s.at;
    return now - oldest;
  };

  const heapTooHigh = (): boolean => {
    const now = Date.now();
    if (now - heapCheckedAt > HEAP_CHECK_MS) {
      heapCheckedAt = now;
      const heap = getHeapStatistics();
      heapHigh = heap.used_heap_size / heap.heap_size_limit > limits.heapFraction;
    }
    return heapHigh;
  };

  const turnAway = (reply: FastifyReply, status: 429 | 503, message: string) => {
    reply.header('retry-after', String(limits.retryAfterS));
    if (draining) reply.header('connection', 'close');
    return reply.code(status).send(apiError(status === 503 ? 'overloaded' : 'rate_limited', message));
  };

  const take = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  const give = (counts: Map<string, number>, key: string) => {
    const n = (counts.get(key) ?? 1) - 1;
    if (n <= 0) counts.delete(key);
    else counts.set(key, n);
  };

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.url.startsWith('/api/')) return;
    if (draining) return turnAway(reply, 503, 'This server is restarting: try again in a moment');
    const address = request.ip;
    if ((perAddress.get(address) ?? 0) >= limits.requestsPerAddress) {
      return turnAway(reply, 429, 'Too many requests at once from this address: try again in a moment');
    }
    const isBatch = request.method === 'POST' && request.url.split('?')[0] === API.batches;
    // The token is only a key here (never logged or stored); an unknown one is refused later, by deviceAuth.
    const device = isBatch ? (request.headers.authorization ?? '') : undefined;
    if (device !== undefined) {
      if ((perDevice.get(device) ?? 0) >= limits.batchesPerDevice) {
        return turnAway(reply, 429, 'This device already has batches on the way: wait for their answers');
      }
      const now = Date.now();
      const saturated =
        batches >= limits.batchesInFlight || oldestWaitMs(now) > limits.batchWaitMs || (poolQueue?.() ?? 0) >= limits.poolQueue || heapTooHigh();
      if (saturated) {
        return turnAway(reply, 503, 'The server is busy: the signatures stay safe on the tablet and go with the next try');
      }
      batches++;
      take(perDevice, device);
    }
    take(perAddress, address);
    let addressHeld = true;
    let batchHeld = device !== undefined;
    const arrival = { at: Date.now() };
    if (batchHeld) started.add(arrival);
    const releaseBatch = () => {
      if (!batchHeld) return;
      batchHeld = false;
      started.delete(arrival);
      batches--;
      give(perDevice, device!);
    };
    slots.set(request, { releaseBatch, handling: false });
    // 'close' comes once the answer is sent or the connection is gone. A batch whose caller went away
    // while it was being filed still holds its slot until the filing ends (onSend, below).
    reply.raw.once('close', () => {
      if (addressHeld) give(perAddress, address);
      addressHeld = false;
      if (!slots.get(request)?.handling) releaseBatch();
    });
  });
  app.addHook('preHandler', async (request) => {
    const slot = slots.get(request);
    if (slot) slot.handling = true;
  });
  // Every route's answer, an error's too, passes here once the handler is done.
  app.addHook('onSend', async (request, reply) => {
    slots.get(request)?.releaseBatch();
    // Shutting down: the answer ends its connection, so the client's next request opens one elsewhere.
    if (draining) reply.header('connection', 'close');
  });

  return {
    drain: () => {
      draining = true;
    },
    batchesInFlight: () => batches,
  };
}
