import { useEffect, useRef, useState } from 'preact/hooks';
import type { AutographPad } from '../../capture/autograph-pad';
import { checkSigner, emptySignerInput, isBlank, signerInputFrom, type FieldErrors, type SignerField, type SignerInput } from '../../capture/signer-form';
import { decodeAutograph, encodeAutograph, AutographFormatError } from '../../shared/autograph-codec';
import { LANGUAGES, type DriveInfo, type Language } from '../../shared/protocol';
import { clearDraft, loadDraft, saveDraft } from '../../storage/draft';
import { InvalidSignatureError, StorageFullError } from '../../storage/errors';
import type { Enrollment } from '../../storage/settings';
import { captureSignature } from '../../storage/signatures';
import { AutographField } from '../components/AutographField';
import { PetitionCard } from '../components/PetitionCard';
import { StateSelect } from '../components/StateSelect';
import { TextField } from '../components/TextField';
import { MESSAGES } from '../messages';

const DRAFT_DELAY_MS = 300;

interface Props {
  enrollment: Enrollment;
  drive: DriveInfo;
  volunteer: string;
  /** Tells the app whether the form holds input (an update must not reload over it). */
  onDirty: (dirty: boolean) => void;
}

const FIELDS: { id: SignerField; autoComplete: string; max: number }[] = [
  { id: 'givenName', autoComplete: 'given-name', max: 100 },
  { id: 'familyName', autoComplete: 'family-name', max: 100 },
  { id: 'street', autoComplete: 'address-line1', max: 200 },
  { id: 'city', autoComplete: 'address-level2', max: 100 },
];

export function CaptureScreen({ enrollment, drive, volunteer, onDirty }: Props) {
  const [input, setInput] = useState<SignerInput>(emptySignerInput);
  const [language, setLanguage] = useState<Language>(drive.petitions[0]?.language ?? LANGUAGES[0]);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [notice, setNotice] = useState<{ kind: 'saved' | 'error'; text: string }>();
  const [saving, setSaving] = useState(false);
  const pad = useRef<AutographPad>(undefined);
  const draftTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const latest = useRef({ input, language });
  latest.current = { input, language };

  // Restore a form left mid-way by a reload, a crash or a killed tab.
  const restored = useRef(false);
  function onPadReady(p: AutographPad) {
    pad.current = p;
    void loadDraft().then((draft) => {
      restored.current = true;
      if (!draft) return;
      setInput(signerInputFrom(draft.fields));
      if (draft.language && (LANGUAGES as readonly string[]).includes(draft.language)) setLanguage(draft.language as Language);
      if (draft.autograph) {
        try {
          p.load(decodeAutograph(draft.autograph));
        } catch (e) {
          if (!(e instanceof AutographFormatError)) throw e;
        }
      }
    });
  }

  function writeDraft() {
    clearTimeout(draftTimer.current);
    draftTimer.current = undefined;
    if (!restored.current) return;
    const { input: fields, language: lang } = latest.current;
    const autograph = pad.current && !pad.current.isEmpty ? encodeAutograph(pad.current.toAutograph()) : undefined;
    if (isBlank(fields) && !autograph) void clearDraft();
    else void saveDraft({ fields, language: lang, ...(autograph ? { autograph } : {}) });
  }

  function scheduleDraft() {
    clearTimeout(draftTimer.current);
    draftTimer.current = setTimeout(writeDraft, DRAFT_DELAY_MS);
    onDirty(!isBlank(latest.current.input) || !(pad.current?.isEmpty ?? true));
  }

  useEffect(() => {
    // A tab hidden or closed may never run its timers again: write the draft now.
    const flush = () => {
      if (draftTimer.current !== undefined) writeDraft();
    };
    const onVisibility = () => document.visibilityState === 'hidden' && flush();
    document.addEventListener('visibilitychange', onVisibility);
    window.addEventListener('pagehide', flush);
    return () => {
      document.removeEventListener('visibilitychange', onVisibility);
      window.removeEventListener('pagehide', flush);
    };
  }, []);

  function update(field: SignerField, value: string) {
    setInput((prev) => ({ ...prev, [field]: value }));
    latest.current = { ...latest.current, input: { ...latest.current.input, [field]: value } };
    if (errors[field]) setErrors((prev) => ({ ...prev, [field]: undefined }));
    setNotice(undefined);
    scheduleDraft();
  }

  async function save(e: Event) {
    e.preventDefault();
    if (saving) return;
    const checked = checkSigner(input);
    const found: FieldErrors = checked.ok ? {} : { ...checked.errors };
    if (!pad.current || pad.current.isEmpty) found.autograph = MESSAGES.autographEmpty;
    const problems = Object.values(found).filter(Boolean).length;
    if (!checked.ok || problems > 0) {
      setErrors(found);
      setNotice({ kind: 'error', text: MESSAGES.fixFields(problems) });
      focusFirstInvalid(found);
      return;
    }
    const petition = drive.petitions.find((p) => p.language === language) ?? drive.petitions[0]!;
    setSaving(true);
    try {
      const saved = await captureSignature({
        deviceId: enrollment.deviceId,
        driveId: drive.id,
        petition: { version: petition.version, language: petition.language },
        volunteer,
        signer: checked.signer,
        autograph: encodeAutograph(pad.current!.toAutograph()),
      });
      // Only now, with the transaction committed, is it "Saved".
      clearTimeout(draftTimer.current);
      draftTimer.current = undefined;
      await clearDraft();
      setInput(emptySignerInput());
      latest.current = { ...latest.current, input: emptySignerInput() };
      pad.current!.clear();
      setErrors({});
      onDirty(false);
      setNotice({ kind: 'saved', text: MESSAGES.saved(saved.seq) });
      document.getElementById('givenName')?.focus();
    } catch (err) {
      const known = err instanceof StorageFullError || err instanceof InvalidSignatureError;
      setNotice({ kind: 'error', text: known ? err.message : MESSAGES.saveFailed });
      if (!known) console.error(err);
    } finally {
      setSaving(false);
    }
  }

  return (
    <main class="screen capture">
      <PetitionCard petitions={drive.petitions} language={language} onLanguage={(l) => { setLanguage(l); latest.current = { ...latest.current, language: l }; scheduleDraft(); }} />
      <form class="signer" onSubmit={save} noValidate aria-label="Signer">
        <div class="signer__grid">
          {FIELDS.map((f) => (
            <TextField key={f.id} id={f.id} label={MESSAGES[f.id]} value={input[f.id]} error={errors[f.id]} onInput={(v) => update(f.id, v)} autoComplete={f.autoComplete} required maxLength={f.max} />
          ))}
          <StateSelect value={input.state} error={errors.state} onInput={(v) => update('state', v)} />
          <TextField id="zip" label={MESSAGES.zip} value={input.zip} error={errors.zip} onInput={(v) => update('zip', v)} autoComplete="postal-code" inputMode="numeric" required maxLength={10} />
          <TextField id="email" label={MESSAGES.email} value={input.email} error={errors.email} onInput={(v) => update('email', v)} autoComplete="email" inputMode="email" type="email" maxLength={254} />
        </div>
        <AutographField
          error={errors.autograph}
          onReady={onPadReady}
          onChange={(p) => {
            if (!p.isEmpty && errors.autograph) setErrors((prev) => ({ ...prev, autograph: undefined }));
            setNotice(undefined);
            scheduleDraft();
          }}
        />
        <p class={notice?.kind === 'error' ? 'notice notice--error' : 'notice notice--saved'} role="status" aria-live="polite">
          {notice?.text ?? ''}
        </p>
        <div class="signer__footer">
          <span class="volunteer">{MESSAGES.volunteerLabel(volunteer)}</span>
          <button type="submit" class="button button--primary" disabled={saving}>
            {saving ? MESSAGES.saving : MESSAGES.save}
          </button>
        </div>
      </form>
    </main>
  );
}

function focusFirstInvalid(errors: FieldErrors) {
  const order: (SignerField | 'autograph')[] = ['givenName', 'familyName', 'street', 'city', 'state', 'zip', 'email', 'autograph'];
  const first = order.find((f) => errors[f]);
  if (!first) return;
  const el = first === 'autograph' ? document.querySelector<HTMLElement>('.autograph__pad') : document.getElementById(first);
  el?.focus?.();
}
