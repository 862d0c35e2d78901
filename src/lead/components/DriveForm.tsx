// Create a drive, or edit one (organizers). A changed petition text becomes a new petition version;
// signatures made with the old text keep counting under it. A new drive gets its passphrase here (it
// seals every signer; nobody can recover it) and its recovery key is shown once after creation.
import { useEffect, useState } from 'preact/hooks';
import { LEAD_API, MAX_PURGE_AFTER_HOURS, MIN_PASSPHRASE_LENGTH, type CreatedDriveDetails, type DriveDetails } from '../../shared/lead-api';
import { LANGUAGES, type Language } from '../../shared/protocol';
import { OPTIONAL_SIGNER_FIELDS, SIGNER_FIELDS } from '../../shared/schema';
import { SIGNER_FIELD_LABELS } from '../../shared/signer-field-labels';
import { call } from '../api';
import { NewPassphraseFields } from './DriveUnlockField';
import { RecoveryKeyNotice, UNRECOVERABLE_WARNING } from './RecoveryKeyNotice';

const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', es: 'Spanish', 'zh-Hans': 'Chinese (simplified)' };
/** Every signer gives these; a drive chooses only among the optional ones. Labels as the signer's form words them. */
const ALWAYS_ASKED = SIGNER_FIELDS.filter((f) => !(OPTIONAL_SIGNER_FIELDS as readonly string[]).includes(f)).map((f) => SIGNER_FIELD_LABELS[f]);

/** Zone names to pick from (the server checks whatever is typed). */
const TIME_ZONES: readonly string[] = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];

type Texts = Record<Language, { title: string; text: string }>;
const emptyTexts = (): Texts => Object.fromEntries(LANGUAGES.map((l) => [l, { title: '', text: '' }])) as Texts;

export function DriveForm({ driveId, onSaved, onCancel }: { driveId?: string; onSaved: (id: string) => void; onCancel?: () => void }) {
  const [title, setTitle] = useState('');
  const [goal, setGoal] = useState(1000);
  const [deadline, setDeadline] = useState('');
  const [recipient, setRecipient] = useState('');
  const [coverLetter, setCoverLetter] = useState('');
  const [required, setRequired] = useState<string[]>([]);
  // A new drive counts its days in the organizer's own zone until they choose another.
  const [timeZone, setTimeZone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  /** Hours tablets keep confirmed signers, as typed; empty: the default (shift end, next day at the latest). */
  const [purgeAfter, setPurgeAfter] = useState('');
  const [texts, setTexts] = useState<Texts>(emptyTexts);
  const [versions, setVersions] = useState(0);
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState<string>();
  // Only while the new-drive form is open; cleared once sent.
  const [passphrase, setPassphrase] = useState('');
  const [again, setAgain] = useState('');
  const [created, setCreated] = useState<CreatedDriveDetails>();

  useEffect(() => {
    if (!driveId) return;
    call<DriveDetails>('GET', LEAD_API.drive(driveId))
      .then((d) => {
        setTitle(d.title);
        setGoal(d.goal);
        setDeadline(d.deadline ?? '');
        setRecipient(d.recipient ?? '');
        setCoverLetter(d.coverLetter ?? '');
        setTimeZone(d.timeZone);
        setPurgeAfter(d.purgeAfterHours === null ? '' : String(d.purgeAfterHours));
        if (d.requiredFields.length) setRequired(d.requiredFields);
        const next = emptyTexts();
        for (const p of d.petitions) next[p.language] = { title: p.title, text: p.text };
        setTexts(next);
        setVersions(d.versions.length);
      })
      .catch((e: Error) => setError(e.message));
  }, [driveId]);

  async function submit(event: Event) {
    event.preventDefault();
    setError(undefined);
    setSaved(undefined);
    const petitions = LANGUAGES.filter((l) => texts[l].text.trim()).map((language) => ({
      language,
      title: texts[language].title.trim() || title,
      text: texts[language].text,
    }));
    if (!driveId && passphrase !== again) {
      setError('The two passphrases differ: type the same passphrase twice.');
      return;
    }
    const body = {
      ...(!driveId && { passphrase }),
      title,
      goal,
      deadline: deadline || null,
      recipient: recipient || null,
      coverLetter: coverLetter || null,
      timeZone: timeZone.trim(),
      purgeAfterHours: purgeAfter.trim() === '' ? null : Number(purgeAfter),
      requiredFields: required,
      petitions,
    };
    try {
      if (!driveId) {
        const made = await call<CreatedDriveDetails>('POST', LEAD_API.drives, body);
        setPassphrase('');
        setAgain('');
        // The organizer saves the recovery key before going on to the drive.
        setCreated(made);
        return;
      }
      const drive = await call<DriveDetails>('PATCH', LEAD_API.drive(driveId), body);
      setVersions(drive.versions.length);
      setSaved('Saved. Devices get a changed text on their next sync.');
      onSaved(drive.id);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  if (created) return <RecoveryKeyNotice driveTitle={created.title} recoveryKey={created.recoveryKey} onSaved={() => onSaved(created.id)} />;

  const heading = driveId ? 'Drive settings' : 'New drive';
  return (
    <form class="panel drive-form" aria-label={heading} onSubmit={(e) => void submit(e)}>
      <h2>{heading}</h2>
      <label>
        Title
        <input required value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
      </label>
      <label>
        Goal (signatures)
        <input type="number" min={1} required value={goal} onInput={(e) => setGoal(Number(e.currentTarget.value))} />
      </label>
      <label>
        Deadline
        <input type="date" value={deadline} onInput={(e) => setDeadline(e.currentTarget.value)} />
      </label>
      <label>
        Recipient
        <input value={recipient} onInput={(e) => setRecipient(e.currentTarget.value)} placeholder="Who receives the petition" />
      </label>
      <label>
        Time zone of the drive's days
        <input required value={timeZone} list="time-zones" onInput={(e) => setTimeZone(e.currentTarget.value)} placeholder="America/Chicago" />
        <datalist id="time-zones">
          {TIME_ZONES.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
      </label>
      <label>
        Hours tablets keep a confirmed signer (sealed)
        <input
          type="number"
          min={0}
          max={MAX_PURGE_AFTER_HOURS}
          step={1}
          value={purgeAfter}
          onInput={(e) => setPurgeAfter(e.currentTarget.value)}
          placeholder="Until the shift ends (next day at the latest)"
          aria-describedby="purge-after-help"
        />
        <small id="purge-after-help">
          Once the server has confirmed a signature, the tablet erases its sealed details after this many hours. Empty: when the volunteer ends the shift, at
          the latest the next day. Shorter is safer if a tablet is lost.
        </small>
      </label>
      <label>
        Cover letter
        <textarea rows={3} value={coverLetter} onInput={(e) => setCoverLetter(e.currentTarget.value)} />
      </label>
      {!driveId && (
        <fieldset>
          <legend>Drive passphrase</legend>
          <p>
            Every signer's details are sealed on the tablet; only this passphrase (or the recovery key shown next) opens them, to read signers or deliver the
            petition. Choose a few words nobody could guess, at least {MIN_PASSPHRASE_LENGTH} characters, and keep them apart from your password.
          </p>
          <p class="lead__warn" role="note">
            {UNRECOVERABLE_WARNING}
          </p>
          <NewPassphraseFields label="Drive passphrase" passphrase={passphrase} again={again} onPassphrase={setPassphrase} onAgain={setAgain} />
        </fieldset>
      )}
      <fieldset>
        <legend>Signer fields</legend>
        <p>Every signer gives: {ALWAYS_ASKED.join(', ')}.</p>
        <label class="check">
          <input
            type="checkbox"
            checked={required.includes('email')}
            onChange={(e) => setRequired((list) => (e.currentTarget.checked ? [...list, 'email'] : list.filter((f) => f !== 'email')))}
          />
          Require the signer's email (tablets ask for it once they next check the drive)
        </label>
      </fieldset>
      {LANGUAGES.map((language) => (
        <fieldset key={language}>
          <legend>
            Petition in {LANGUAGE_NAMES[language]}
            {language === 'en' ? '' : ' (optional)'}
          </legend>
          <label>
            Petition title ({language})
            <input value={texts[language].title} onInput={(e) => setTexts({ ...texts, [language]: { ...texts[language], title: e.currentTarget.value } })} />
          </label>
          <label>
            Petition text ({language})
            <textarea
              rows={4}
              value={texts[language].text}
              onInput={(e) => setTexts({ ...texts, [language]: { ...texts[language], text: e.currentTarget.value } })}
            />
          </label>
        </fieldset>
      ))}
      {driveId && (
        <p>
          {versions} petition version{versions === 1 ? '' : 's'} so far.
        </p>
      )}
      {error && (
        <p role="alert" class="lead__error">
          {error}
        </p>
      )}
      {saved && (
        <p role="status" class="lead__ok">
          {saved}
        </p>
      )}
      <button type="submit">{driveId ? 'Save drive' : 'Create drive'}</button>
      {onCancel && (
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      )}
    </form>
  );
}
