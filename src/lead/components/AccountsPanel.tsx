// Organizers add leads and choose who leads this drive. A new lead's password is shown once.
import { useEffect, useState } from 'preact/hooks';
import { LEAD_API, type AccountInfo } from '../../shared/lead-api';
import { call } from '../api';

export function AccountsPanel({ driveId }: { driveId: string }) {
  const [accounts, setAccounts] = useState<AccountInfo[]>([]);
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [created, setCreated] = useState<{ email: string; password: string }>();
  const [error, setError] = useState<string>();

  const load = () =>
    call<{ accounts: AccountInfo[] }>('GET', LEAD_API.accounts)
      .then((r) => setAccounts(r.accounts))
      .catch((e: Error) => setError(e.message));
  useEffect(() => void load(), [driveId]);

  async function run(action: () => Promise<unknown>) {
    setError(undefined);
    try {
      await action();
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  async function add(event: Event) {
    event.preventDefault();
    await run(async () => {
      const r = await call<{ account: AccountInfo; password: string }>('POST', LEAD_API.accounts, { email, name });
      await call('PUT', LEAD_API.driveLead(driveId, r.account.id));
      setCreated({ email: r.account.email, password: r.password });
      setEmail('');
      setName('');
    });
  }

  const leads = accounts.filter((a) => a.role === 'lead');
  return (
    <section class="panel" aria-labelledby="leads-title">
      <h2 id="leads-title">Leads</h2>
      <ul>
        {leads.map((a) => {
          const leading = a.driveIds.includes(driveId);
          return (
            <li key={a.id}>
              {a.name} ({a.email}) {leading ? '— leads this drive ' : ''}
              <button type="button" onClick={() => void run(() => call(leading ? 'DELETE' : 'PUT', LEAD_API.driveLead(driveId, a.id)))}>
                {leading ? 'Remove from drive' : 'Add to drive'}
              </button>
            </li>
          );
        })}
      </ul>
      <form class="inline" onSubmit={(e) => void add(e)}>
        <label>
          Lead's name
          <input required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          Lead's email
          <input type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <button type="submit">Add lead to this drive</button>
      </form>
      {created && (
        <p role="status" class="lead__ok">
          {created.email} can sign in with the one-time password <code data-testid="lead-password">{created.password}</code> — shown only now.
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
