// What the screens show of syncing: a tiny store with subscribe/get, no framework.
import type { Receipt } from '../shared/protocol';

/** The Web Lock a sync holds: one sync at a time across the app's tabs and its service worker. */
export const SYNC_LOCK = 'fieldpen-sync';
/** Where a finished sync is announced, to the pages that did not run it. */
const SYNCED_CHANNEL = 'fieldpen-synced';

interface Synced {
  receipt: Receipt;
  /** When the sync finished. */
  at: string;
}

/**
 * Tell every page of the app that a sync finished, with the server's receipt: another tab, or the
 * service worker woken by Background Sync, may have sent what this page saved.
 */
export function announceSynced(receipt: Receipt, at = new Date()): void {
  if (typeof BroadcastChannel === 'undefined') return;
  const channel = new BroadcastChannel(SYNCED_CHANNEL);
  channel.postMessage({ receipt, at: at.toISOString() } satisfies Synced);
  channel.close();
}

/** Calls `listener` for each sync another tab or the service worker finished. Returns the unsubscribe. */
export function onSyncedElsewhere(listener: (synced: Synced) => void): () => void {
  if (typeof BroadcastChannel === 'undefined') return () => undefined;
  const channel = new BroadcastChannel(SYNCED_CHANNEL);
  channel.onmessage = (event: MessageEvent<Synced>) => listener(event.data);
  return () => channel.close();
}

export type SyncProblem =
  | 'offline'
  | 'not_enrolled'
  | 'unauthorized'
  | 'device_revoked'
  | 'server_error'
  | 'bad_answer';

export interface SyncStatus {
  running: boolean;
  /** Records sent so far in the running sync, and how many were waiting when it began. */
  progress?: { sent: number; total: number };
  lastSuccessAt?: string;
  /** The server's last receipt for this device (kept across restarts in settings). */
  lastReceipt?: Receipt;
  problem?: { kind: SyncProblem; message: string };
  nextRetryAt?: string;
}

type Listener = (status: SyncStatus) => void;
let status: SyncStatus = { running: false };
const listeners = new Set<Listener>();

export function getSyncStatus(): SyncStatus {
  return status;
}

export function updateSyncStatus(patch: Partial<SyncStatus>): void {
  status = { ...status, ...patch };
  for (const l of listeners) l(status);
}

export function subscribeSyncStatus(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
