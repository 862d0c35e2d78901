import { useState } from 'preact/hooks';
import { LEAD_API, type SessionInfo } from '../../shared/lead-api';
import { call } from '../api';

export function SignInForm({ onSignedIn, notice }: { onSignedIn: (session: SessionInfo) => void; notice?: string | undefined }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await call<SessionInfo>('POST', LEAD_API.session, { email, password }));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="panel signin" onSubmit={(e) => void submit(e)}>
      <h1>Sign in to Fieldpen</h1>
      <p>For canvassing leads and organizers.</p>
      {notice && (
        <p role="alert" class="lead__error">
          {notice}
        </p>
      )}
      <label>
        Email
        <input type="email" autocomplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      </label>
      <label>
        Password
        <input type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      </label>
      {error && (
        <p role="alert" class="lead__error">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        Sign in
      </button>
    </form>
  );
}
