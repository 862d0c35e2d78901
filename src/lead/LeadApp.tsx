// The lead and organizer dashboard: sign in, pick a drive, watch it and manage its devices; organizers
// also open its sealed signers with the drive's passphrase, deliver, and manage the passphrase.
import { useEffect, useState } from 'preact/hooks';
import { LEAD_API, type SessionInfo } from '../shared/lead-api';
import { call, LeadApiError, useCsrfToken } from './api';
import { AccountsPanel } from './components/AccountsPanel';
import { AuditPanel } from './components/AuditPanel';
import { CodesPanel } from './components/CodesPanel';
import { DashboardView } from './components/DashboardView';
import { DeliverPanel } from './components/DeliverPanel';
import { DriveForm } from './components/DriveForm';
import { DrivePassphrasePanel } from './components/DrivePassphrasePanel';
import { PasswordForm } from './components/PasswordForm';
import { RosterPanel } from './components/RosterPanel';
import { SignersPanel } from './components/SignersPanel';
import { SignInForm } from './components/SignInForm';

interface DriveSummary {
  id: string;
  title: string;
  goal: number;
}

export function LeadApp() {
  const [session, setSession] = useState<SessionInfo | null>();
  const [drives, setDrives] = useState<DriveSummary[]>([]);
  const [driveId, setDriveId] = useState<string>();
  const [creating, setCreating] = useState(false);
  const [changingPassword, setChangingPassword] = useState(false);
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    call<SessionInfo>('GET', LEAD_API.session)
      .then(signedIn)
      .catch((e: unknown) => {
        if (!(e instanceof LeadApiError) || e.status !== 401) setError((e as Error).message);
        setSession(null);
      });
  }, []);

  function signedIn(info: SessionInfo) {
    useCsrfToken(info.csrfToken);
    setSession(info);
    void loadDrives();
  }

  async function loadDrives(select?: string) {
    try {
      const { drives: list } = await call<{ drives: DriveSummary[] }>('GET', LEAD_API.drives);
      setDrives(list);
      setDriveId((current) => select ?? (current && list.some((d) => d.id === current) ? current : list[0]?.id));
    } catch (e) {
      setError((e as Error).message);
    }
  }

  async function signOut() {
    await call('DELETE', LEAD_API.session).catch(() => undefined);
    setSession(null);
    setDrives([]);
    setDriveId(undefined);
  }

  if (session === undefined)
    return (
      <main class="lead">
        <p>Loading…</p>
      </main>
    );
  if (session === null)
    return (
      <main class="lead">
        <SignInForm onSignedIn={signedIn} notice={error} />
      </main>
    );

  const organizer = session.account.role === 'organizer';
  const drive = drives.find((d) => d.id === driveId);
  return (
    <main class="lead">
      <header class="lead__bar">
        <h1>Fieldpen</h1>
        {drives.length > 0 && (
          // Labelled by `for`, not by wrapping: a wrapping label's name would include the chosen drive's title.
          <span class="lead__drive">
            <label for="drive-select">Drive</label>{' '}
            <select id="drive-select" value={driveId} onChange={(e) => setDriveId(e.currentTarget.value)}>
              {drives.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.title}
                </option>
              ))}
            </select>
          </span>
        )}
        {organizer && (
          <button type="button" onClick={() => setCreating(true)}>
            New drive
          </button>
        )}
        <span class="lead__who">
          {session.account.name} ({session.account.role})
        </span>
        <button type="button" onClick={() => setChangingPassword(!changingPassword)}>
          Change password
        </button>
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      {error && (
        <p role="alert" class="lead__error">
          {error}
        </p>
      )}
      {notice && (
        <p role="status" class="lead__ok">
          {notice}
        </p>
      )}
      {changingPassword && (
        <PasswordForm
          onDone={() => {
            setChangingPassword(false);
            setNotice('Password changed. Your other sessions were signed out.');
          }}
        />
      )}
      {creating && (
        <DriveForm
          onSaved={(id) => {
            setCreating(false);
            void loadDrives(id);
          }}
          onCancel={() => setCreating(false)}
        />
      )}
      {!drive && !creating && (
        <p>{organizer ? 'No drive yet: create one with “New drive”.' : 'You do not lead a drive yet: ask an organizer to add you to one.'}</p>
      )}
      {drive && (
        <>
          <DashboardView key={drive.id} driveId={drive.id} />
          {organizer && <DrivePassphrasePanel key={`passphrase-${drive.id}`} driveId={drive.id} driveTitle={drive.title} />}
          <CodesPanel key={`codes-${drive.id}`} driveId={drive.id} />
          <RosterPanel key={`roster-${drive.id}`} driveId={drive.id} />
          {/* Leads see figures, not signers: only organizers open the drive. */}
          {organizer && <SignersPanel key={`signers-${drive.id}`} driveId={drive.id} />}
          {organizer && <DeliverPanel key={`deliver-${drive.id}`} driveId={drive.id} />}
          {organizer && <DriveForm key={`edit-${drive.id}`} driveId={drive.id} onSaved={() => void loadDrives(drive.id)} />}
          {organizer && <AccountsPanel key={`accounts-${drive.id}`} driveId={drive.id} />}
          {organizer && <AuditPanel />}
        </>
      )}
    </main>
  );
}
