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

export type SyncProblem = 'offline' | 'not_enrolled' | 'unauthorized' | 'device_revoked' | 'server_error' | 'bad_answer';

/**
 * What the last attempt to reach the server found: it answered (`reached`, even with an error), or it
 * did not (`unreachable`: no answer, or the browser reported no network). Undefined before any attempt.
 */
export type ServerContact = 'reached' | 'unreachable';

export interface SyncStatus {
  running: boolean;
  server?: ServerContact;
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

/** What the status bar says of the server, in one word: the volunteer reads it at a glance. */
export type ServerState = 'online' | 'offline' | 'trouble' | 'stopped' | 'unknown';

/**
 * Whether the server can be reached now, from the last sync attempt. `browserOnline` (navigator.onLine)
 * counts only when it says no: a browser may report a network that does not reach the server (a
 * dead Wi-Fi, a captive portal, the server down), and some Chromium versions keep it true when a
 * test takes the network away.
 */
export function serverState(status: SyncStatus, browserOnline: boolean): ServerState {
  if (!browserOnline || status.server === 'unreachable') return 'offline';
  if (status.problem) {
    return status.problem.kind === 'unauthorized' || status.problem.kind === 'device_revoked' || status.problem.kind === 'not_enrolled' ? 'stopped' : 'trouble';
  }
  return status.server === 'reached' ? 'online' : 'unknown';
}
