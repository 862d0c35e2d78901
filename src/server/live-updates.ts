// Which drives changed, for the dashboard's server-sent events. In-process: a device syncing on this
// instance wakes its listeners at once. With several instances on one PostgreSQL a sync may land on
// another one, so each stream also polls a cheap fingerprint of the drive (`driveFingerprint`, polled by the event stream in routes/lead.ts).
//
// The figures sent after a change are worked out once per drive and shared by every stream of that
// drive on this instance: at day's end many leads and organizers watch the same drive, and each
// stream reading every figure again on each burst of syncs was the first thing to give in the rush
// (issue 12, rush_dashboard_p95_ms).
type Listener = () => void;

/**
 * How long an answer is shared: the streams woken by one change ask within milliseconds of each
 * other; a change no notify announced (a drive's settings edited) shows at the latest this late.
 */
const SHARE_MS = 1_000;

interface Shared {
  /** Bumped by every change of the drive. */
  version: number;
  /** What was worked out, for which version, and when. */
  value?: { version: number; at: number; promise: Promise<unknown> };
}

export class LiveUpdates {
  private listeners = new Map<string, Set<Listener>>();
  private shared = new Map<string, Shared>();

  subscribe(driveId: string, listener: Listener): () => void {
    const set = this.listeners.get(driveId) ?? new Set();
    set.add(listener);
    this.listeners.set(driveId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) {
        this.listeners.delete(driveId);
        this.shared.delete(driveId);
      }
    };
  }

  notify(driveId: string): void {
    const shared = this.shared.get(driveId);
    if (shared) shared.version++;
    for (const listener of this.listeners.get(driveId) ?? []) listener();
  }

  /**
   * `compute` once per change of the drive: streams asking after the same change, within SHARE_MS,
   * share its answer (a failed one is not kept). Only for drives with a listener; others compute each time.
   */
  latest<T>(driveId: string, compute: () => Promise<T>): Promise<T> {
    if (!this.listeners.has(driveId)) return compute();
    let shared = this.shared.get(driveId);
    if (!shared) this.shared.set(driveId, (shared = { version: 0 }));
    const { version } = shared;
    const now = Date.now();
    if (shared.value && shared.value.version === version && now - shared.value.at < SHARE_MS) return shared.value.promise as Promise<T>;
    const promise = compute();
    const entry = { version, at: now, promise };
    shared.value = entry;
    promise.catch(() => {
      if (shared.value === entry) shared.value = undefined;
    });
    return promise;
  }
}
