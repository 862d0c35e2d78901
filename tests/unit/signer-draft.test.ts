// The half-filled form's draft holds at most the signer at the door, and not for long: it expires 30
// minutes after its last change — deleted when the app loads it, and by a timer while the app is open.
// Node has no origin private file system, so these run on the idb-keyval fallback (fake-indexeddb);
// the file in Chromium's profile is checked by tests/browser/signer-privacy.test.ts.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clearDraft, draftExpired, DRAFT_TTL_MS, hasOpfs, idbPlace, loadDraft, onDraftExpired, saveDraft, useDraftPlace } from '../../src/storage/draft';

const T0 = Date.parse('2026-11-30T14:00:00.000Z');
const MINUTE = 60_000;
const door = { fields: { givenName: 'Zoë', familyName: 'Ñúñez-Åberg', street: '12 Rue des Lilas' }, language: 'es', autograph: 'AQID', fromNewerApp: 7 };

beforeEach(() => useDraftPlace(undefined));
afterEach(async () => {
  vi.useRealTimers();
  await clearDraft();
  useDraftPlace(undefined);
});

describe('when a draft expires', () => {
  it('is 30 minutes after its last change', () => {
    const changedAt = new Date(T0).toISOString();
    expect(DRAFT_TTL_MS).toBe(30 * MINUTE);
    expect(draftExpired({ changedAt }, T0)).toBe(false);
    expect(draftExpired({ changedAt }, T0 + 30 * MINUTE - 1)).toBe(false);
    expect(draftExpired({ changedAt }, T0 + 30 * MINUTE)).toBe(true);
    expect(draftExpired({ changedAt }, T0 + 24 * 60 * MINUTE)).toBe(true);
  });

  it('is at once for a draft with no time of change (an older version left it) or a time from far ahead', () => {
    expect(draftExpired({}, T0)).toBe(true);
    expect(draftExpired({ changedAt: 'yesterday' }, T0)).toBe(true);
    expect(draftExpired({ changedAt: 12 }, T0)).toBe(true);
    expect(draftExpired({ changedAt: new Date(T0 + 31 * MINUTE).toISOString() }, T0)).toBe(true);
    // A clock set back a little does not lose the form.
    expect(draftExpired({ changedAt: new Date(T0 + 5 * MINUTE).toISOString() }, T0)).toBe(false);
  });
});

describe('the draft of the signer at the door', () => {
  it('comes back whole (unknown fields kept) within 30 minutes of its last change', async () => {
    expect(hasOpfs()).toBe(false); // Node: the fallback
    await saveDraft(door, T0);
    expect(await loadDraft(T0 + 29 * MINUTE)).toEqual(door);
  });

  it('is gone 30 minutes after its last change, and deleted from storage on that load', async () => {
    await saveDraft(door, T0);
    expect(await loadDraft(T0 + 30 * MINUTE)).toBeUndefined();
    expect(await idbPlace.read()).toBeUndefined();
    // Deleted, not merely hidden: a clock set back finds nothing either.
    expect(await loadDraft(T0 + MINUTE)).toBeUndefined();
  });

  it('holds one signer: each change rewrites it whole and restarts its 30 minutes', async () => {
    await saveDraft(door, T0);
    const next = { fields: { givenName: '王小明' } };
    await saveDraft(next, T0 + 20 * MINUTE);
    expect(await idbPlace.read()).toEqual({ ...next, changedAt: new Date(T0 + 20 * MINUTE).toISOString() });
    expect(await loadDraft(T0 + 45 * MINUTE)).toEqual(next);
    expect(await loadDraft(T0 + 50 * MINUTE)).toBeUndefined();
  });

  it('is deleted by Save (clearDraft)', async () => {
    await saveDraft(door, T0);
    await clearDraft();
    expect(await idbPlace.read()).toBeUndefined();
    expect(await loadDraft(T0)).toBeUndefined();
  });

  it('is deleted by a timer while the app stays open, and the form is told to empty', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: T0 });
    let emptied = 0;
    onDraftExpired(() => emptied++);
    try {
      await saveDraft(door);
      await vi.advanceTimersByTimeAsync(29 * MINUTE);
      expect(await idbPlace.read()).toMatchObject({ fields: door.fields });
      expect(emptied).toBe(0);
      await vi.advanceTimersByTimeAsync(2 * MINUTE);
      await vi.waitFor(async () => expect(emptied).toBe(1));
      expect(await idbPlace.read()).toBeUndefined();
    } finally {
      onDraftExpired(undefined);
    }
  });

  it('is not deleted by the timer of an earlier change', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: T0 });
    await saveDraft(door);
    await vi.advanceTimersByTimeAsync(25 * MINUTE);
    await saveDraft({ fields: { givenName: 'Jean-Luc' } });
    await vi.advanceTimersByTimeAsync(10 * MINUTE); // 35 min after the first change, 10 after the last
    expect(await idbPlace.read()).toMatchObject({ fields: { givenName: 'Jean-Luc' } });
    await vi.advanceTimersByTimeAsync(21 * MINUTE);
    await vi.waitFor(async () => expect(await idbPlace.read()).toBeUndefined());
  });
});
