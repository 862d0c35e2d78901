// The signer's input as the form holds it, kept as a draft (src/storage/draft.ts: a file in the origin
// private file system) so that a reload, a crash or a killed tab mid-form loses nothing — and only
// there: the form's fields opt out of the browser's own form history and form-state restore (see
// TextField). The draft expires 30 minutes after its last change; the form then empties too.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { AutographPad } from '../../capture/autograph-pad';
import { emptySignerInput, isBlank, type SignerField, type SignerInput } from '../../capture/signer-form';
import type { Language } from '../../shared/protocol';

/** Typing is written to the draft this long after the last key: one write per pause, not per key. */
const DRAFT_DELAY_MS = 300;

/** The draft's reading and writing: loaded as the form mounts, not in the first load. */
const drafts = () => import('./signer-draft-file');

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
    const autograph = pad.current && !pad.current.isEmpty ? pad.current.toAutograph() : undefined;
    void drafts().then((d) => d.writeDraft(fields, lang, autograph));
  }

  /** An empty form and pad: after Save, or when the draft expired (the signer has gone). */
  function empty() {
    setInput((latest.current.input = emptySignerInput()));
    pad.current?.clear();
    onDirty(false);
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
    const onVisibility = () => document.visibilityState === 'hidden' && flush();
    document.addEventListener('visibilitychange', onVisibility);
    window.addEventListener('pagehide', flush);
    return () => {
      flush(); // leaving for another screen: the form comes back from the draft
      document.removeEventListener('visibilitychange', onVisibility);
      window.removeEventListener('pagehide', flush);
    };
  }, []);

  return {
    input,
    language,
    pad,
    setField(field, value) {
      setInput((latest.current.input = { ...latest.current.input, [field]: value }));
      schedule();
    },
    setLanguage(l) {
      setLanguageState((latest.current.language = l));
      schedule();
    },
    padReady(p) {
      pad.current = p;
      void drafts()
        // The draft expired while the form sat untouched: the signer has gone, and so does their input.
        .then((d) => d.readDraft(empty))
        .then((draft) => {
          restored.current = true;
          if (!draft) return;
          const { input: fields, language: lang = latest.current.language, autograph } = draft;
          latest.current = { input: fields, language: lang };
          setInput(fields);
          setLanguageState(lang);
          onDirty(!isBlank(fields) || autograph !== undefined);
          if (autograph) p.load(autograph);
        });
    },
    autographChanged: schedule,
    async clear() {
      clearTimeout(timer.current);
      timer.current = undefined;
      await (await drafts()).clearDraft();
      empty();
    },
  };
}
