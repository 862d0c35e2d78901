// The drive's passphrase (organizers). A drive made before sealing has none: until an organizer sets
// it, no tablet can enroll, and setting it seals the signers the server already holds. Otherwise the
// passphrase can be changed with the current one or the recovery key. Secrets live in this form's
// state only until sent.
import { useEffect, useState } from 'preact/hooks';
import { LEAD_API, MIN_PASSPHRASE_LENGTH, type DriveKeySet, type DriveKeyStatus } from '../../shared/lead-api';
import { call } from '../api';
import { count, when } from '../format';
import { DriveUnlockField, NewPassphraseFields, NO_SECRET, unlockBody, type UnlockSecret } from './DriveUnlockField';
import { RecoveryKeyNotice, UNRECOVERABLE_WARNING } from './RecoveryKeyNotice';

export function DrivePassphrasePanel({ driveId, driveTitle }: { driveId: string; driveTitle: string }) {
  const [status, setStatus] = useState<DriveKeyStatus>();
  const [current, setCurrent] = useState<UnlockSecret>(NO_SECRET);
  const [passphrase, setPassphrase] = useState('');
  const [again, setAgain] = useState('');
  const [changing, setChanging] = useState(false);
  const [recoveryKey, setRecoveryKey] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<string>();

  const load = () =>
    call<DriveKeyStatus>('GET', LEAD_API.driveKey(driveId))
      .then(setStatus)
      .catch((e: Error) => setError(e.message));
  useEffect(() => void load(), [driveId]);

  const forget = () => {
    setCurrent(NO_SECRET);
    setPassphrase('');
    setAgain('');
  };

  async function submit(event: Event) {
    event.preventDefault();
    setError(undefined);
    setNotice(undefined);
    if (passphrase !== again) {
      setError('The two new passphrases differ: type the same passphrase twice.');
      return;
    }
    try {
      if (!status?.hasKey) {
        const set = await call<DriveKeySet>('POST', LEAD_API.driveKey(driveId), { newPassphrase: passphrase });
        setRecoveryKey(set.recoveryKey);
        setNotice(`Passphrase set. ${count(set.sealedSignatures)} signers the server held were sealed; tablets can enroll now.`);
      } else {
        await call('POST', LEAD_API.drivePassphrase(driveId), { ...unlockBody(current), newPassphrase: passphrase });
        setNotice("Passphrase changed. The old one no longer opens the drive; the recovery key still does. Tell the drive's other organizers.");
        setChanging(false);
      }
      await load();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      forget();
    }
  }

  if (recoveryKey) return <RecoveryKeyNotice driveTitle={driveTitle} recoveryKey={recoveryKey} onSaved={() => setRecoveryKey(undefined)} />;
  if (!status) return null;
  const keyless = !status.hasKey;
  const newFields = (
    <>
      <p>The new passphrase has at least {MIN_PASSPHRASE_LENGTH} characters: a few words nobody could guess.</p>
      <NewPassphraseFields label="New drive passphrase" passphrase={passphrase} again={again} onPassphrase={setPassphrase} onAgain={setAgain} />
    </>
  );
  return (
    <section class={keyless ? 'panel recovery' : 'panel'} aria-labelledby="passphrase-title">
      <h2 id="passphrase-title">Drive passphrase</h2>
      {notice && (
        <p role="status" class="lead__ok">
          {notice}
        </p>
      )}
      {keyless ? (
        <form aria-label="Set the drive's passphrase" onSubmit={(e) => void submit(e)}>
          <p class="lead__warn">
            This drive was made before signers were sealed: it has no passphrase, so no tablet can enroll, and the server holds {count(status.clearSignatures)}{' '}
            signers in clear. Set the drive's passphrase: it seals them, and tablets seal every new signer to it.
          </p>
          <p class="lead__warn" role="note">
            {UNRECOVERABLE_WARNING}
          </p>
          {newFields}
          <button type="submit">Set the drive's passphrase</button>
        </form>
      ) : changing ? (
        <form aria-label="Change the drive's passphrase" onSubmit={(e) => void submit(e)}>
          <DriveUnlockField secret={current} onChange={setCurrent} label="Current drive passphrase" />
          {newFields}
          <p class="lead__warn" role="note">
            {UNRECOVERABLE_WARNING}
          </p>
          <button type="submit">Change the passphrase</button>{' '}
          <button
            type="button"
            onClick={() => {
              forget();
              setChanging(false);
            }}
          >
            Cancel
          </button>
        </form>
      ) : (
        <p>
          Signers' details open only with this drive's passphrase or its recovery key{status.updatedAt ? ` (passphrase set ${when(status.updatedAt)})` : ''}.{' '}
          <button type="button" onClick={() => setChanging(true)}>
            Change the drive's passphrase
          </button>
        </p>
      )}
      {error && (
        <p role="alert" class="lead__error">
          {error}
        </p>
      )}
    </section>
  );
}
