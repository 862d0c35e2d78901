// scrypt is memory-hard on purpose: at the cost we use (N=2^17, r=8) each call takes 128 MiB and about a
// second of a core. Sign-in, unlocking a drive and setting a passphrase each run one, and nothing else
// bounded how many ran at once: a hundred sign-ins (or a script sending wrong passphrases, which the
// rate limits only count once they finish) asked for 12.8 GiB. Every scrypt on this instance goes
// through one gate: a few run at once, a few more wait their turn, and past that the request is
// answered at once with 503 and Retry-After — like any other overload (overload.ts).
import { scrypt, type ScryptOptions } from 'node:crypto';
import { ApiProblem } from './api-problem';

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

export interface GateLimits {
  /** scrypt calls running at once: libuv has four threads, and the rest of the server needs some. */
  running: number;
  /** Calls waiting for their turn; past this the request is turned away. */
  waiting: number;
  /** What Retry-After says, in seconds. */
  retryAfterS: number;
}

export const DEFAULT_GATE: GateLimits = { running: 2, waiting: 16, retryAfterS: 2 };

/** What a caller past the gate's bounds gets: 503 `overloaded`, with Retry-After (error-handling.ts). */
export class KdfBusyError extends ApiProblem {
  override name = 'KdfBusyError';
  constructor(readonly retryAfterS: number) {
    super(503, 'overloaded', 'The server is busy checking other passwords: try again in a moment');
  }
}

/** At most `running` at once, at most `waiting` queued behind them (first come, first served). */
export class KdfGate {
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly limits: GateLimits = DEFAULT_GATE) {}

  get busy(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.queue.length };
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limits.running) {
      if (this.queue.length >= this.limits.waiting) throw new KdfBusyError(this.limits.retryAfterS);
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next in line (the count stays), or free it.
      const next = this.queue.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/** The one gate of this process: every scrypt below goes through it. */
export const kdfGate = new KdfGate();

/** scrypt of a secret (NFC-normalised) to 32 bytes, through the gate. */
export function scryptKey(secret: string, salt: Buffer, cost: ScryptCost, gate: KdfGate = kdfGate): Promise<Buffer> {
  // 128·N·r bytes; Node refuses more than `maxmem` (32 MiB by default), so give it what the cost needs.
  const options: ScryptOptions = { ...cost, maxmem: 128 * cost.N * cost.r + 16 * 1024 * 1024 };
  return gate.run(
    () => new Promise<Buffer>((resolve, reject) => scrypt(secret.normalize('NFC'), salt, 32, options, (e, key) => (e ? reject(e) : resolve(key)))),
  );
}
