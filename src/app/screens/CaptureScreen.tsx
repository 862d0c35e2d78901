// The signer form beside the petition: the volunteer's screen at every door. Its input lives in a
// draft (useSignerDraft), the repeat-signer warning in useSameSigner; this screen checks and saves.
import { useEffect, useState } from 'preact/hooks';
import { checkInk } from '../../capture/autograph-ink';
import { checkSigner, FIELD_MAX, type FieldErrors, type SignerField } from '../../capture/signer-form';
import { LANGUAGES, type DriveInfo } from '../../shared/protocol';
import { InvalidSignatureError, StorageFullError } from '../../storage/errors';
import type { DeviceEnrollment } from '../../storage/settings';
import { captureSignature, warmSaving } from '../../storage/signatures';
import { AssistedSigning } from '../components/AssistedSigning';
import { AutographField } from '../components/AutographField';
import { PetitionCard } from '../components/PetitionCard';
import { StateSelect } from '../components/StateSelect';
import { TextField } from '../components/TextField';
import { useCatalog } from '../hooks/useCatalog';
import { SAME_SIGNER_FIELDS, useSameSigner } from '../hooks/useSameSigner';
import { useSignerDraft } from '../hooks/useSignerDraft';
import { MESSAGES } from '../messages';

interface Props {
  enrollment: DeviceEnrollment;
  drive: DriveInfo;
  volunteer: string;
  /** Tells the app whether the form holds input (an update must not reload over it). */
  onDirty: (dirty: boolean) => void;
}

type TextFieldSpec = { id: Exclude<SignerField, 'state'>; inputMode?: 'numeric' | 'email'; type?: 'email'; caps?: 'words' | 'characters' | 'none' };
const NAME_FIELDS: TextFieldSpec[] = [
  { id: 'givenName', caps: 'words' },
  { id: 'familyName', caps: 'words' },
];
const ADDRESS_FIELDS: TextFieldSpec[] = [
  { id: 'street', caps: 'words' },
  { id: 'city', caps: 'words' },
];

export function CaptureScreen({ enrollment, drive, volunteer, onDirty }: Props) {
  const draft = useSignerDraft(drive.petitions[0]?.language ?? LANGUAGES[0], onDirty);
  const { input, language } = draft;
  const { catalog: t, language: shown } = useCatalog(language);
  const sameSigner = useSameSigner();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [notice, setNotice] = useState<{ kind: 'saved' | 'error'; text: string }>();
  const [savedSeq, setSavedSeq] = useState<number>();
  const [assisted, setAssisted] = useState(false);
  const [attested, setAttested] = useState(false);
  const [saving, setSaving] = useState(false);

  // The sealing library loads after the form is shown (it is not in the first load), with the drive's
  // key and the tablet's hash key: the first Save then waits for none of them.
  useEffect(() => warmSaving(drive), [drive.id, drive.sealKey]);

  /** Whatever the volunteer does next hides the last outcome ("Saved #n", or the count of problems). */
  function clearOutcome() {
    setNotice(undefined);
    setSavedSeq(undefined);
  }

  /** After a save: the next signer starts from nothing the last one typed, drew or ticked. */
  async function resetForNextSigner() {
    await draft.clear();
    setErrors({});
    sameSigner.forget();
    setAssisted(false);
    setAttested(false);
  }

  function update(field: SignerField, value: string) {
    draft.setField(field, value);
    if (errors[field] || (field === 'state' && errors.zip === 'zipState'))
      setErrors((prev) => ({ ...prev, [field]: undefined, ...(field === 'state' ? { zip: undefined } : {}) }));
    if (SAME_SIGNER_FIELDS.includes(field)) sameSigner.forget();
    clearOutcome();
  }

  async function save(e: Event) {
    e.preventDefault();
    if (saving) return;
    const checked = checkSigner(input, drive.requiredFields);
    const found: FieldErrors = checked.ok ? {} : { ...checked.errors };
    const ink = checkInk(draft.pad.current?.drawn ?? []);
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
        autograph: draft.pad.current!.toAutograph(),
        ...(assisted ? { assisted: { attestedBy: volunteer } } : {}),
      });
      // Only now, with the transaction committed, is it "Saved".
      await resetForNextSigner();
      setSavedSeq(saved.seq);
      setNotice({ kind: 'saved', text: t.saved(saved.seq) });
    } catch (err) {
      // InvalidSignatureError: also a tablet without the drive's key (its message says what to do).
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
    clearOutcome();
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
      onBlur={SAME_SIGNER_FIELDS.includes(f.id) ? () => void sameSigner.lookUp(input) : undefined}
      autoComplete="off"
      inputMode={f.inputMode}
      type={f.type}
      autoCapitalize={f.caps}
      required={f.id !== 'email' || emailRequired}
      maxLength={FIELD_MAX[f.id]}
    />
  );

  return (
    <main class="screen capture" lang={shown}>
      <PetitionCard petitions={drive.petitions} language={language} catalog={t} onLanguage={draft.setLanguage} />
      {/* autocomplete off, on the form and each field: Chromium keeps no form history or session-restore state of a signer (tests/browser/signer-privacy.test.ts). */}
      <form class="signer" onSubmit={save} noValidate autoComplete="off" aria-label={t.signerForm}>
        <div class="signer__grid">
          {NAME_FIELDS.map(text)}
          {ADDRESS_FIELDS.map(text)}
          <StateSelect label={t.fields.state} chooseLabel={t.chooseState} value={input.state} error={message('state')} onInput={(v) => update('state', v)} />
          {text({ id: 'zip', inputMode: 'numeric', caps: 'none' })}
          {text({ id: 'email', inputMode: 'email', type: 'email', caps: 'none' })}
        </div>
        {sameSigner.found && (
          <p class="warning" role="status" data-testid="same-signer">
            {t.sameSigner(sameSigner.found.seq, new Date(sameSigner.found.capturedAt).toLocaleTimeString(shown, { hour: 'numeric', minute: '2-digit' }))}
          </p>
        )}
        <AutographField
          catalog={t}
          error={message('autograph')}
          onReady={draft.padReady}
          onChange={(p) => {
            if (!p.isEmpty && errors.autograph) setErrors((prev) => ({ ...prev, autograph: undefined }));
            clearOutcome();
            draft.autographChanged();
          }}
        />
        <div class="signer__row">
          {/* Saved: the thanks take the row until the volunteer goes on; the next signer finds it unticked. */}
          {savedSeq === undefined && (
            <AssistedSigning
              catalog={t}
              volunteer={volunteer}
              assisted={assisted}
              attested={attested}
              error={message('attestation')}
              onAssisted={(on) => {
                setAssisted(on);
                setErrors((prev) => ({ ...prev, autograph: undefined, attestation: undefined }));
              }}
              onAttested={(on) => {
                setAttested(on);
                setErrors((prev) => ({ ...prev, attestation: undefined }));
              }}
            />
          )}
          <div class={savedSeq !== undefined ? 'done' : 'done done--empty'}>
            {savedSeq !== undefined && <p class="done__thanks">{t.thanks}</p>}
            <p class={notice?.kind === 'error' ? 'notice notice--error' : 'notice notice--saved'} role="status" aria-live="polite">
              {notice?.text ?? ''}
            </p>
          </div>
        </div>
        <div class="signer__footer">
          <span class="volunteer" lang="en">
            {MESSAGES.volunteerLabel(volunteer)}{' '}
            <a href="#shift" class="volunteer__change" aria-label={`${MESSAGES.changeVolunteer}: ${MESSAGES.volunteerLabel(volunteer)}`}>
              {MESSAGES.changeVolunteer}
            </a>
          </span>
          {/* Saved: the next tap, "Next signer", is where Save was; typing or drawing brings Save back. */}
          {savedSeq !== undefined && (
            <button type="button" id="next-signer" class="button button--primary" onClick={nextSigner}>
              {t.nextSigner}
            </button>
          )}
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
