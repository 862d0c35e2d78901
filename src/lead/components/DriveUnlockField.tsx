// What opens the drive for one request: its passphrase, or the recovery key when the passphrase is
// lost. Kept only in the owning form's state while it is open, sent in a POST body, never in a URL,
// and cleared by the form once sent.
import { useState } from 'preact/hooks';
import type { DriveUnlock } from '../../shared/lead-api';

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
