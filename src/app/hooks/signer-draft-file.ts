// Reading and writing the signer form's draft (src/storage/draft.ts), and making the form's input of
// it: loaded as the form mounts, not in the first load (tests/unit/first-load-budget.test.ts). The form
// shows at once; a draft, if any, fills it a moment later (reading it was always asynchronous).
import { isBlank, signerInputFrom, type SignerInput } from '../../capture/signer-form';
import { AutographFormatError, decodeAutograph, encodeAutograph, type Autograph } from '../../shared/autograph-codec';
import { LANGUAGES, type Language } from '../../shared/protocol';
import { clearDraft, loadDraft, onDraftExpired, saveDraft } from '../../storage/draft';

export { clearDraft };

export interface RestoredDraft {
  input: SignerInput;
  language?: Language;
  autograph?: Autograph;
}

/** The draft left by a reload, as the form takes it; `onExpired` empties the form when the draft expires while it is open. */
export async function readDraft(onExpired: () => void): Promise<RestoredDraft | undefined> {
  onDraftExpired(onExpired);
  const draft = await loadDraft();
  if (!draft) return undefined;
  const restored: RestoredDraft = { input: signerInputFrom(draft.fields) };
  if (draft.language && (LANGUAGES as readonly string[]).includes(draft.language)) restored.language = draft.language as Language;
  if (draft.autograph) {
    try {
      restored.autograph = decodeAutograph(draft.autograph);
    } catch (e) {
      if (!(e instanceof AutographFormatError)) throw e;
    }
  }
  return restored;
}

/** Rewrite the draft with the form as it is; an empty form leaves no draft. */
export function writeDraft(input: SignerInput, language: Language, autograph: Autograph | undefined): Promise<void> {
  if (isBlank(input) && !autograph) return clearDraft();
  return saveDraft({ fields: input, language, ...(autograph ? { autograph: encodeAutograph(autograph) } : {}) });
}
