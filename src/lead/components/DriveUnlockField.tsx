// What opens the drive for one request: its passphrase, or the recovery key when the passphrase is
// lost. Kept only in the owning form's state while it is open, sent in a POST body, never in a URL,
// and cleared by the form once sent.
import { useState } from 'preact/hooks';
import { MIN_PASSPHRASE_LENGTH, type DriveUnlock } from '../../shared/lead-api';

export interface UnlockSecret {
  kind: 'passphrase' | 'recoveryKey';
  value: string;
}

export const NO_SECRET: UnlockSecret = { kind: 'passphrase', value: '' };

/** The request body's part that opens the drive. */
export function unlockBody(secret: UnlockSecret): DriveUnlock {
  return secret.kind === 'recoveryKey' ? { recoveryKey: secret.value } : { passphrase: secret.value };
}

let fieldNumber = 0;

export function DriveUnlockField({
  secret,
  onChange,
  label = 'Drive passphrase',
}: {
  secret: UnlockSecret;
  onChange: (s: UnlockSecret) => void;
  label?: string;
}) {
  const [id] = useState(() => `drive-unlock-${++fieldNumber}`);
  const recovery = secret.kind === 'recoveryKey';
  return (
    <div class="unlock">
      <label for={id}>{recovery ? 'Recovery key' : label}</label>
      <input
        id={id}
        type="password"
        // Never offered to a password manager's autofill as the account's password, nor kept in form history.
        autocomplete="off"
        spellcheck={false}
        required
        value={secret.value}
        placeholder={recovery ? 'XXXX-XXXX-… (64 characters)' : undefined}
        onInput={(e) => onChange({ ...secret, value: e.currentTarget.value })}
      />
      <button type="button" class="link" onClick={() => onChange({ kind: recovery ? 'passphrase' : 'recoveryKey', value: '' })}>
        {recovery ? 'Use the passphrase instead' : 'Lost the passphrase? Use the recovery key'}
      </button>
    </div>
  );
}

/** A new drive passphrase, typed twice: at a drive's creation, and when it is set or changed. */
export function NewPassphraseFields({
  label,
  passphrase,
  again,
  onPassphrase,
  onAgain,
}: {
  label: string;
  passphrase: string;
  again: string;
  onPassphrase: (value: string) => void;
  onAgain: (value: string) => void;
}) {
  const field = (name: string, value: string, onChange: (value: string) => void) => (
    <label>
      {name}
      <input
        type="password"
        autocomplete="new-password"
        required
        minLength={MIN_PASSPHRASE_LENGTH}
        value={value}
        onInput={(e) => onChange(e.currentTarget.value)}
      />
    </label>
  );
  return (
    <>
      {field(label, passphrase, onPassphrase)}
      {field(`${label} again`, again, onAgain)}
    </>
  );
}
