// Change one's password: the first thing after signing in with a one-time password.
import { useState } from 'preact/hooks';
import { LEAD_API, MIN_PASSWORD_LENGTH } from '../../shared/lead-api';
import { call } from '../api';

export function PasswordForm({ onDone }: { onDone: () => void }) {
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [error, setError] = useState<string>();

  async function submit(event: Event) {
    event.preventDefault();
    setError(undefined);
    try {
      await call('POST', LEAD_API.password, { currentPassword, newPassword });
      onDone();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <form class="panel inline" aria-label="Change password" onSubmit={(e) => void submit(e)}>
      <label>
        Current password
        <input type="password" autocomplete="current-password" required value={currentPassword} onInput={(e) => setCurrent(e.currentTarget.value)} />
      </label>
      <label>
        New password (at least {MIN_PASSWORD_LENGTH} characters)
        <input
          type="password"
          autocomplete="new-password"
          required
          minLength={MIN_PASSWORD_LENGTH}
          value={newPassword}
          onInput={(e) => setNew(e.currentTarget.value)}
        />
      </label>
      <button type="submit">Save new password</button>
      {error && (
        <p role="alert" class="lead__error">
          {error}
        </p>
      )}
    </form>
  );
}
