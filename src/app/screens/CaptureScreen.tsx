import { useEffect, useRef, useState } from 'preact/hooks';
import { checkInk } from '../../capture/autograph-ink';
import type { AutographPad } from '../../capture/autograph-pad';
import { checkSigner, emptySignerInput, FIELD_MAX, isBlank, signerInputFrom, type FieldErrors, type SignerField, type SignerInput } from '../../capture/signer-form';
import { decodeAutograph, encodeAutograph, AutographFormatError } from '../../shared/autograph-codec';
import { LANGUAGES, type DriveInfo, type Language } from '../../shared/protocol';
import { clearDraft, loadDraft, saveDraft } from '../../storage/draft';
import { InvalidSignatureError, StorageFullError } from '../../storage/errors';
import type { DeviceEnrollment } from '../../storage/settings';
import { captureSignature, findSameSigner, type SameSigner } from '../../storage/signatures';
import { AutographField } from '../components/AutographField';
import { PetitionCard } from '../components/PetitionCard';
import { StateSelect } from '../components/StateSelect';
import { TextField } from '../components/TextField';
import { useCatalog } from '../hooks/useCatalog';
import { MESSAGES } from '../messages';

const DRAFT_DELAY_MS = 300;

interface Props {
  enrollment: DeviceEnrollment;
  drive: DriveInfo;
  volunteer: string;
  /** Tells the app whether the form holds input (an update must not reload over it). */
  onDirty: (dirty: boolean) => void;
}

type TextFieldSpec = { id: Exclude<SignerField, 'state'>; autoComplete: string; inputMode?: 'numeric' | 'email'; type?: 'email'; caps?: 'words' | 'characters' | 'none' };
const NAME_FIELDS: TextFieldSpec[] = [
  { id: 'givenName', autoComplete: 'given-name', caps: 'words' },
  { id: 'familyName', autoComplete: 'family-name', caps: 'words' },
];
const ADDRESS_FIELDS: TextFieldSpec[] = [
  { id: 'street', autoComplete: 'address-line1', caps: 'words' },
  { id: 'city', autoComplete: 'address-level2', caps: 'words' },
];
/** The fields the same-signer lookup reads: it runs when one of them is left. */
const SAME_SIGNER_FIELDS: readonly SignerField[] = ['givenName', 'familyName', 'street', 'zip'];

export function CaptureScreen({ enrollment, drive, volunteer, onDirty }: Props) {
  const [input, setInput] = useState<SignerInput>(emptySignerInput);
  const [language, setLanguage] = useState<Language>(drive.petitions[0]?.language ?? LANGUAGES[0]);
  const { catalog: t, language: shown } = useCatalog(language);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [notice, setNotice] = useState<{ kind: 'saved' | 'error'; text: string }>();
  const [savedSeq, setSavedSeq] = useState<number>();
  const [sameSigner, setSameSigner] = useState<SameSigner>();
  const [assisted, setAssisted] = useState(false);
  const [attested, setAttested] = useState(false);
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
      const fields = signerInputFrom(draft.fields);
      setInput(fields);
      // A restored form holds the signer's input as much as a typed one: no update may reload over it.
      onDirty(!isBlank(fields) || draft.autograph !== undefined);
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
      flush(); // leaving for another screen: the form comes back from the draft
      document.removeEventListener('visibilitychange', onVisibility);
      window.removeEventListener('pagehide', flush);
    };
  }, []);

  function update(field: SignerField, value: string) {
    setInput((prev) => ({ ...prev, [field]: value }));
    latest.current = { ...latest.current, input: { ...latest.current.input, [field]: value } };
    if (errors[field] || (field === 'state' && errors.zip === 'zipState')) setErrors((prev) => ({ ...prev, [field]: undefined, ...(field === 'state' ? { zip: undefined } : {}) }));
    if (SAME_SIGNER_FIELDS.includes(field)) setSameSigner(undefined);
    setNotice(undefined);
    setSavedSeq(undefined);
    scheduleDraft();
  }

  /** A repeat signer is a warning, never a block: two people may share a name and an address. */
  async function lookUpSameSigner(): Promise<void> {
    const { input: now } = latest.current;
    if (SAME_SIGNER_FIELDS.some((f) => now[f].trim() === '')) return;
    const found = await findSameSigner(now);
    if (latest.current.input === now) setSameSigner(found);
  }

  function changeLanguage(l: Language) {
    setLanguage(l);
    latest.current = { ...latest.current, language: l };
    scheduleDraft();
  }

  async function save(e: Event) {
    e.preventDefault();
    if (saving) return;
    const checked = checkSigner(input, drive.requiredFields);
    const found: FieldErrors = checked.ok ? {} : { ...checked.errors };
    const ink = checkInk(pad.current?.drawn ?? []);
    if (ink === 'empty') found.autograph = 'autographEmpty';
    else if (ink === 'too-little' && !assisted) found.autograph = 'autographTooLittle';
    if (assisted && !attested) found.attestation = 'attestation';
    const problems = Object.values(found).filter(Boolean).length;
    if (!checked.ok || problems > 0) {
      setErrors(found);
      setSavedSeq(undefined);
      setNotice({ kind: 'error', text: t.fixFields(problems) });
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
        ...(assisted ? { assisted: { attestedBy: volunteer } } : {}),
      });
      // Only now, with the transaction committed, is it "Saved".
      clearTimeout(draftTimer.current);
      draftTimer.current = undefined;
      await clearDraft();
      setInput(emptySignerInput());
      latest.current = { ...latest.current, input: emptySignerInput() };
      pad.current!.clear();
      setErrors({});
      setSameSigner(undefined);
      setAssisted(false);
      setAttested(false);
      onDirty(false);
      setSavedSeq(saved.seq);
      setNotice({ kind: 'saved', text: t.saved(saved.seq) });
    } catch (err) {
      const text = err instanceof StorageFullError ? t.storageFull : err instanceof InvalidSignatureError ? err.message : t.saveFailed;
      setNotice({ kind: 'error', text });
      if (!(err instanceof StorageFullError || err instanceof InvalidSignatureError)) console.error(err);
    } finally {
      setSaving(false);
    }
  }

  useEffect(() => {
    if (savedSeq !== undefined) document.getElementById('next-signer')?.focus({ preventScroll: true });
  }, [savedSeq]);

  /** The volunteer's second tap: back to the petition, for the next door. */
  function nextSigner() {
    setSavedSeq(undefined);
    setNotice(undefined);
    window.scrollTo({ top: 0 });
    document.getElementById('petition-title')?.focus();
  }

  const emailRequired = drive.requiredFields?.includes('email') ?? false;
  const labelOf = (field: SignerField) => (field === 'email' && emailRequired ? t.emailRequired : t.fields[field]);

  const message = (field: SignerField | 'autograph' | 'attestation'): string | undefined => {
    const problem = errors[field];
    if (!problem) return undefined;
    const label = field === 'autograph' ? t.autograph : field === 'attestation' ? t.assisted : labelOf(field);
    return t.problems[problem](label);
  };

  const text = (f: TextFieldSpec) => (
    <TextField
      key={f.id}
      id={f.id}
      label={labelOf(f.id)}
      value={input[f.id]}
      error={message(f.id)}
      onInput={(v) => update(f.id, v)}
      onBlur={SAME_SIGNER_FIELDS.includes(f.id) ? () => void lookUpSameSigner() : undefined}
      autoComplete={f.autoComplete}
      inputMode={f.inputMode}
      type={f.type}
      autoCapitalize={f.caps}
      required={f.id !== 'email' || emailRequired}
      maxLength={FIELD_MAX[f.id]}
    />
  );

  return (
    <main class="screen capture" lang={shown}>
      <PetitionCard petitions={drive.petitions} language={language} catalog={t} onLanguage={changeLanguage} />
      <form class="signer" onSubmit={save} noValidate aria-label={t.signerForm}>
        <div class="signer__grid">
          {NAME_FIELDS.map(text)}
          {ADDRESS_FIELDS.map(text)}
          <StateSelect label={t.fields.state} chooseLabel={t.chooseState} value={input.state} error={message('state')} onInput={(v) => update('state', v)} />
          {text({ id: 'zip', autoComplete: 'postal-code', inputMode: 'numeric', caps: 'none' })}
          {text({ id: 'email', autoComplete: 'email', inputMode: 'email', type: 'email', caps: 'none' })}
        </div>
        {sameSigner && (
          <p class="warning" role="status" data-testid="same-signer">
            {t.sameSigner(sameSigner.seq, new Date(sameSigner.capturedAt).toLocaleTimeString(shown, { hour: 'numeric', minute: '2-digit' }))}
          </p>
        )}
        <AutographField
          catalog={t}
          error={message('autograph')}
          onReady={onPadReady}
          onChange={(p) => {
            if (!p.isEmpty && errors.autograph) setErrors((prev) => ({ ...prev, autograph: undefined }));
            setNotice(undefined);
            setSavedSeq(undefined);
            scheduleDraft();
          }}
        />
        <fieldset class="assist">
          <legend class="visually-hidden">{t.assisted}</legend>
          <label class="check">
            <input type="checkbox" checked={assisted} onChange={(e) => { setAssisted(e.currentTarget.checked); setErrors((prev) => ({ ...prev, autograph: undefined, attestation: undefined })); }} />
            <span>{t.assisted}</span>
          </label>
          {assisted && (
            <>
              <p class="hint">{t.assistedHint}</p>
              <label class={errors.attestation ? 'check check--invalid' : 'check'}>
                <input id="attestation" type="checkbox" checked={attested} aria-describedby={errors.attestation ? 'attestation-error' : undefined} onChange={(e) => { setAttested(e.currentTarget.checked); setErrors((prev) => ({ ...prev, attestation: undefined })); }} />
                <span>{t.attest(volunteer)}</span>
              </label>
              {errors.attestation && <p class="field__error" id="attestation-error">{message('attestation')}</p>}
            </>
          )}
        </fieldset>
        <div class={savedSeq !== undefined ? 'done' : 'done done--empty'}>
          {savedSeq !== undefined && <p class="done__thanks">{t.thanks}</p>}
          <p class={notice?.kind === 'error' ? 'notice notice--error' : 'notice notice--saved'} role="status" aria-live="polite">
            {notice?.text ?? ''}
          </p>
          {savedSeq !== undefined && (
            <button type="button" id="next-signer" class="button button--primary" onClick={nextSigner}>
              {t.nextSigner}
            </button>
          )}
        </div>
        <div class="signer__footer">
          <span class="volunteer" lang="en">
            {MESSAGES.volunteerLabel(volunteer)}{' '}
            <a href="#shift" class="volunteer__change" aria-label={`${MESSAGES.changeVolunteer}: ${MESSAGES.volunteerLabel(volunteer)}`}>
              {MESSAGES.changeVolunteer}
            </a>
          </span>
          {/* Saved: the next tap is "Next signer"; typing or drawing brings Save back. */}
          <button type="submit" class="button button--primary" disabled={saving} hidden={savedSeq !== undefined}>
            {saving ? t.saving : t.save}
          </button>
        </div>
      </form>
    </main>
  );
}

function focusFirstInvalid(errors: FieldErrors) {
  const order = ['givenName', 'familyName', 'street', 'city', 'state', 'zip', 'email', 'autograph', 'attestation'] as const;
  const first = order.find((f) => errors[f]);
  if (!first) return;
  const el = first === 'autograph' ? document.querySelector<HTMLElement>('.autograph__actions button') : document.getElementById(first);
  el?.focus?.();
}
