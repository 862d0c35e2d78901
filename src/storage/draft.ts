// The form in progress, kept so that a reload, a crash or a killed tab mid-form loses nothing.
import { createStore, del, get, set, type UseStore } from 'idb-keyval';

export const DRAFT_KEY = 'signer-form' as const;

/** Unknown fields from an older or newer app version are kept, not dropped. */
export interface Draft {
  fields: Record<string, string>;
  language?: string;
  /** The autograph drawn so far, in the wire encoding. */
  autograph?: string;
  [unknown: string]: unknown;
}

let store: UseStore | undefined;
const drafts = (): UseStore => (store ??= createStore('fieldpen-draft', 'draft'));

export async function loadDraft(): Promise<Draft | undefined> {
  const raw = await get<unknown>(DRAFT_KEY, drafts());
  if (!raw || typeof raw !== 'object') return undefined;
  const draft = raw as Partial<Draft>;
  return { ...draft, fields: typeof draft.fields === 'object' && draft.fields ? draft.fields : {} };
}
export const saveDraft = (draft: Draft): Promise<void> => set(DRAFT_KEY, draft, drafts());
export const clearDraft = (): Promise<void> => del(DRAFT_KEY, drafts());
