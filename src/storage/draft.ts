// The form in progress, kept so that a reload, a crash or a killed tab mid-form loses nothing — and
// kept where deleting it erases it. IndexedDB is LevelDB: a deleted or overwritten value stays in its
// files until compaction, so a draft there would leave every signer who ever stood at the door
// readable in the profile. The draft is one file in the Origin Private File System instead, rewritten
// whole (a new file renamed over the old) and unlinked when deleted; it holds at most the signer at the
// door and expires DRAFT_TTL_MS after its last change (tests/browser/lost-tablet.test.ts scans the profile).
import { createStore, del, get, set, type UseStore } from 'idb-keyval';

/** The draft's file in the origin's private file system. */
export const DRAFT_FILE = 'signer-draft.json';
/** A draft untouched this long is deleted: the signer has gone, and nothing of them may stay. */
export const DRAFT_TTL_MS = 30 * 60_000;

/** Unknown fields from an older or newer app version are kept, not dropped. */
export interface Draft {
  fields: Record<string, string>;
  language?: string;
  /** The autograph drawn so far, in the wire encoding. */
  autograph?: string;
  [unknown: string]: unknown;
}

/** The draft as stored: with the time of its last change, from which it expires. */
export interface StoredDraft extends Draft {
  changedAt: string;
}

/** Whether a stored draft is past its time (or has none: a draft of an older version, not trusted). */
export function draftExpired(stored: { changedAt?: unknown }, now: number): boolean {
  const changed = typeof stored.changedAt === 'string' ? Date.parse(stored.changedAt) : NaN;
  return !Number.isFinite(changed) || now - changed >= DRAFT_TTL_MS || changed - now > DRAFT_TTL_MS;
}

/** Where the draft lives: one place, read, rewritten whole, removed. */
export interface DraftPlace {
  read(): Promise<unknown>;
  write(draft: StoredDraft): Promise<void>;
  remove(): Promise<void>;
}

const isNotFound = (e: unknown) => e instanceof DOMException && (e.name === 'NotFoundError' || e.name === 'TypeMismatchError');

/** The origin private file system: a file the browser unlinks when it is removed or replaced. */
export const opfsPlace: DraftPlace = {
  async read() {
    try {
      const dir = await navigator.storage.getDirectory();
      const file = await (await dir.getFileHandle(DRAFT_FILE)).getFile();
      return JSON.parse(await file.text()) as unknown;
    } catch (e) {
      if (isNotFound(e) || e instanceof SyntaxError) return undefined;
      throw e;
    }
  },
  async write(draft) {
    const dir = await navigator.storage.getDirectory();
    const handle = await dir.getFileHandle(DRAFT_FILE, { create: true });
    // Chromium writes to a swap file and moves it over the old one on close: the old bytes are unlinked.
    const writable = await handle.createWritable();
    await writable.write(JSON.stringify(draft));
    await writable.close();
  },
  async remove() {
    try {
      await (await navigator.storage.getDirectory()).removeEntry(DRAFT_FILE);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  },
};

// Fallback only where the browser has no OPFS with writable files (Safari before 26 writes OPFS files
// only from workers; Node's fake-indexeddb in unit tests): idb-keyval, as before. There a deleted draft
// lingers in LevelDB-like storage until compaction; the expiry still bounds what the app shows.
const LEGACY_DATABASE = 'fieldpen-draft';
const LEGACY_KEY = 'signer-form';
let legacyStore: UseStore | undefined;
const legacy = (): UseStore => (legacyStore ??= createStore(LEGACY_DATABASE, 'draft'));
export const idbPlace: DraftPlace = {
  read: () => get<unknown>(LEGACY_KEY, legacy()),
  write: (draft) => set(LEGACY_KEY, draft, legacy()),
  remove: () => del(LEGACY_KEY, legacy()),
};

export function hasOpfs(): boolean {
  return (
    typeof navigator !== 'undefined' &&
    typeof navigator.storage?.getDirectory === 'function' &&
    typeof FileSystemFileHandle !== 'undefined' &&
    'createWritable' in FileSystemFileHandle.prototype
  );
}

let place: DraftPlace | undefined;
function draftPlace(): DraftPlace {
  if (place) return place;
  if (!hasOpfs()) return (place = idbPlace);
  // A draft an older version left in IndexedDB goes (deleting the database needs no store to exist).
  if (typeof indexedDB !== 'undefined') indexedDB.deleteDatabase(LEGACY_DATABASE);
  return (place = opfsPlace);
}

/** For tests: keep the draft elsewhere, or undefined to choose again. */
export function useDraftPlace(p: DraftPlace | undefined): void {
  place = p;
  clearTimeout(expiryTimer);
}

// One operation at a time: a file being rewritten cannot be removed under the writer.
let queue: Promise<unknown> = Promise.resolve();
function inTurn<T>(op: () => Promise<T>): Promise<T> {
  const result = queue.then(op);
  queue = result.catch(() => undefined);
  return result;
}

// ── expiry while the app is open ─────────────────────────────────────────────

let expiryTimer: ReturnType<typeof setTimeout> | undefined;
let expiredListener: (() => void) | undefined;

/** The form to empty when the draft expires while the app is open (one form: the last one mounted). */
export function onDraftExpired(listener: (() => void) | undefined): void {
  expiredListener = listener;
}

// Back from sleep, the expiry timer may be late: check at once (a service worker has no document).
if (typeof document !== 'undefined') document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && void expireDraft());

function scheduleExpiry(changedAt: string): void {
  clearTimeout(expiryTimer);
  const due = Date.parse(changedAt) + DRAFT_TTL_MS - Date.now();
  expiryTimer = setTimeout(() => void expireDraft(), Math.max(0, due) + 50);
}

/**
 * Delete the draft if its time has passed: on load, by the timer, and when the app becomes visible
 * again (a sleeping tablet's timers run late). Returns whether it deleted one.
 */
export function expireDraft(now: number = Date.now()): Promise<boolean> {
  return inTurn(async () => {
    const stored = await draftPlace().read();
    if (!stored || typeof stored !== 'object') return false;
    if (!draftExpired(stored, now)) {
      scheduleExpiry((stored as StoredDraft).changedAt);
      return false;
    }
    await draftPlace().remove();
    clearTimeout(expiryTimer);
    expiredListener?.();
    return true;
  });
}

// ── the draft ────────────────────────────────────────────────────────────────

/** The draft left by a reload, unless it has expired (then it is deleted). */
export async function loadDraft(now: number = Date.now()): Promise<Draft | undefined> {
  if (await expireDraft(now)) return undefined;
  const raw = await inTurn(() => draftPlace().read());
  if (!raw || typeof raw !== 'object') return undefined;
  const { changedAt: _changedAt, ...draft } = raw as Partial<StoredDraft>;
  return { ...draft, fields: typeof draft.fields === 'object' && draft.fields ? draft.fields : {} };
}

/** Rewrite the draft whole; it expires DRAFT_TTL_MS from now unless changed again. */
export function saveDraft(draft: Draft, now: number = Date.now()): Promise<void> {
  const changedAt = new Date(now).toISOString();
  return inTurn(async () => {
    await draftPlace().write({ ...draft, changedAt });
    scheduleExpiry(changedAt);
  });
}

/** Delete the draft: after Save, for a new signer, at the end of a shift. */
export function clearDraft(): Promise<void> {
  clearTimeout(expiryTimer);
  return inTurn(() => draftPlace().remove());
}
