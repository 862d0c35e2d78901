// Who may speak for the client, and where the server is reached from outside. Behind a reverse proxy
// the client's address, protocol and host arrive in X-Forwarded-* headers, which anyone can write:
// trust them only from a known number of proxy hops or from the proxies' own addresses, or the rate
// limits key on whatever a client puts first in X-Forwarded-For.
import { isIP } from 'node:net';

/** Fastify's `trustProxy`: false, a number of hops, or the proxies' addresses and CIDR ranges. */
export type TrustProxy = false | number | string[];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function isCidr(entry: string): boolean {
  const [address, bits, extra] = entry.split('/');
  if (extra !== undefined || !address) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n <= (family === 4 ? 32 : 128);
}

/**
 * `TRUST_PROXY`: unset, `0` or `false` trusts no header; a whole number is how many proxies stand in
 * front (`1`: one, e.g. Caddy on the same machine); otherwise a comma-separated list of the proxies'
 * addresses or CIDR ranges (`127.0.0.1,10.0.0.0/8`). `true` means one hop, as `1` always should have.
 */
export function trustProxyFrom(value: string | undefined): TrustProxy {
  const raw = (value ?? '').trim();
  if (raw === '' || raw === '0' || raw.toLowerCase() === 'false') return false;
  if (raw.toLowerCase() === 'true') return 1;
  if (/^\d+$/.test(raw)) return Number(raw);
  const entries = raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const bad = entries.find((e) => !isCidr(e));
  if (bad !== undefined || entries.length === 0) {
    throw new ConfigError(
      `TRUST_PROXY=${raw} is neither a number of proxy hops nor a list of addresses (e.g. TRUST_PROXY=1 or TRUST_PROXY=127.0.0.1,10.0.0.0/8)`,
    );
  }
  return entries;
}

/** `PUBLIC_URL`: the address tablets and leads use, e.g. `https://fieldpen.example.org`; its origin, or undefined. */
export function publicOriginFrom(value: string | undefined): string | undefined {
  const raw = (value ?? '').trim();
  if (raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`PUBLIC_URL=${raw} is not an address like https://fieldpen.example.org`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`PUBLIC_URL=${raw} must start with https:// or http://`);
  if (url.pathname !== '/' || url.search || url.hash)
    throw new ConfigError(`PUBLIC_URL=${raw} must be the server's origin alone, without a path (the app is served at /)`);
  return url.origin;
}

/**
 * Fastify's form of it. A number becomes a trust function of the hop: Fastify 5 ignores a bare hop count
 * (it trusts no header then), so "the nearest `n` hops are proxies" is said as `(address, hop) => hop < n`.
 */
export function fastifyTrustProxy(trust: TrustProxy): false | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust !== 'number') return trust;
  const hops = trust;
  return hops > 0 ? (_address, hop) => hop < hops : false;
}
