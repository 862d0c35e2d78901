// The signer's input as the form holds it, kept as a draft (src/storage/draft.ts: a file in the origin
// private file system) so that a reload, a crash or a killed tab mid-form loses nothing — and only
// there: the form's fields opt out of the browser's own form history and form-state restore (see
// TextField). The draft expires 30 minutes after its last change; the form then empties too.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { AutographPad } from '../../capture/autograph-pad';
import { emptySignerInput, isBlank, signerInputFrom, type SignerField, type SignerInput } from '../../capture/signer-form';
import { AutographFormatError, decodeAutograph, encodeAutograph } from '../../shared/autograph-codec';
import { LANGUAGES, type Language } from '../../shared/protocol';
import { clearDraft, expireDraft, loadDraft, onDraftExpired, saveDraft } from '../../storage/draft';

/** Typing is written to the draft this long after the last key: one write per pause, not per key. */
const DRAFT_DELAY_MS = 300;

export interface SignerDraft {
  input: SignerInput;
  language: Language;
  /** The autograph pad, once mounted (AutographField's onReady: `padReady`). */
  pad: { readonly current: AutographPad | undefined };
  setField(field: SignerField, value: string): void;
  setLanguage(language: Language): void;
  /** The pad mounted: keep it, and restore a draft left by a reload into the form and the pad. */
  padReady(pad: AutographPad): void;
  /** The autograph changed: write the draft soon. */
  autographChanged(): void;
  /** The signature is saved: an empty form, an empty pad, no draft. */
  clear(): Promise<void>;
}

/** `onDirty`: whether the form holds a signer's input (typed, drawn or restored): no update may reload over it. */
export function useSignerDraft(initialLanguage: Language, onDirty: (dirty: boolean) => void): SignerDraft {
  const [input, setInput] = useState<SignerInput>(emptySignerInput);
  const [language, setLanguageState] = useState<Language>(initialLanguage);
  const pad = useRef<AutographPad>(undefined);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  /** What the next draft write reads: the state as of the last event, not of the last render. */
  const latest = useRef({ input, language });
  /** Nothing is written before the draft was read: an empty form would delete it. */
  const restored = useRef(false);

  function write() {
    clearTimeout(timer.current);
    timer.current = undefined;
    if (!restored.current) return;
    const { input: fields, language: lang } = latest.current;
    const autograph = pad.current && !pad.current.isEmpty ? encodeAutograph(pad.current.toAutograph()) : undefined;
    if (isBlank(fields) && !autograph) void clearDraft();
    else void saveDraft({ fields, language: lang, ...(autograph ? { autograph } : {}) });
  }

  function schedule() {
    clearTimeout(timer.current);
    timer.current = setTimeout(write, DRAFT_DELAY_MS);
    onDirty(!isBlank(latest.current.input) || !(pad.current?.isEmpty ?? true));
  }

  useEffect(() => {
    // A tab hidden or closed may never run its timers again: write the draft now.
    const flush = () => {
      if (timer.current !== undefined) write();
    };
    // Back from sleep, the expiry timer may be late: check at once.
    const onVisibility = () => (document.visibilityState === 'hidden' ? flush() : void expireDraft());
    document.addEventListener('visibilitychange', onVisibility);
    window.addEventListener('pagehide', flush);
    // The draft expired while the form sat untouched: the signer has gone, and so does their input.
    const unsubscribe = onDraftExpired(() => {
      latest.current = { ...latest.current, input: emptySignerInput() };
      setInput(latest.current.input);
      pad.current?.clear();
      onDirty(false);
    });
    return () => {
      flush(); // leaving for another screen: the form comes back from the draft
      unsubscribe();
      document.removeEventListener('visibilitychange', onVisibility);
      window.removeEventListener('pagehide', flush);
    };
  }, []);

  return {
    input,
    language,
    pad,
    setField(field, value) {
      latest.current = { ...latest.current, input: { ...latest.current.input, [field]: value } };
      setInput(latest.current.input);
      schedule();
    },
    setLanguage(l) {
      latest.current = { ...latest.current, language: l };
      setLanguageState(l);
      schedule();
    },
    padReady(p) {
      pad.current = p;
      void loadDraft().then((draft) => {
        restored.current = true;
        if (!draft) return;
        const fields = signerInputFrom(draft.fields);
        latest.current = { ...latest.current, input: fields };
        setInput(fields);
        onDirty(!isBlank(fields) || draft.autograph !== undefined);
        if (draft.language && (LANGUAGES as readonly string[]).includes(draft.language)) {
          latest.current = { ...latest.current, language: draft.language as Language };
          setLanguageState(draft.language as Language);
        }
        if (draft.autograph) {
          try {
            p.load(decodeAutograph(draft.autograph));
          } catch (e) {
            if (!(e instanceof AutographFormatError)) throw e;
          }
        }
      });
    },
    autographChanged: schedule,
    async clear() {
      clearTimeout(timer.current);
      timer.current = undefined;
      await clearDraft();
      latest.current = { ...latest.current, input: emptySignerInput() };
      setInput(latest.current.input);
      pad.current?.clear();
      onDirty(false);
    },
  };
}
