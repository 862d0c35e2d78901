// Which drives changed, for the dashboard's server-sent events. In-process: a device syncing on this
// instance wakes its listeners at once. With several instances on one PostgreSQL a sync may land on
// another one, so each stream also polls a cheap fingerprint of the drive (`driveFingerprint`, polled by the event stream in routes/lead.ts).
type Listener = () => void;

export class LiveUpdates {
  private listeners = new Map<string, Set<Listener>>();

  subscribe(driveId: string, listener: Listener): () => void {
    const set = this.listeners.get(driveId) ?? new Set();
    set.add(listener);
    this.listeners.set(driveId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(driveId);
    };
  }

  notify(driveId: string): void {
    for (const listener of this.listeners.get(driveId) ?? []) listener();
  }
}
