// What the server's Retry-After asks of a tablet: a server that answered 503 (saturated, restarting)
// or 429 says when to come back; waiting less only adds to its load. A spread on top keeps the tablets
// it turned away together from coming back together.

/** The longest a Retry-After is taken at its word (a sync's backoff never waits more either). */
export const RETRY_AFTER_MAX_MS = 5 * 60_000;

/** Retry-After in milliseconds: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Math.min(RETRY_AFTER_MAX_MS, Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(RETRY_AFTER_MAX_MS, Math.max(0, at - now));
}

/**
 * How long to wait before the next try: the backoff's own wait, or what the server asked plus up to
 * half of it again (drawn at random), whichever is longer.
 */
export function waitBeforeRetry(backoffMs: number, retryAfterMs: number | undefined, random: () => number = Math.random): number {
  if (retryAfterMs === undefined) return backoffMs;
  return Math.min(RETRY_AFTER_MAX_MS, Math.max(backoffMs, retryAfterMs * (1 + random() / 2)));
}
