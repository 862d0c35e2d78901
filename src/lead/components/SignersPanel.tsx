// The latest signers, for organizers only: their details are sealed, so the organizer types the
// drive's passphrase (or recovery key) and the server opens the latest signers for this one answer.
// The passphrase lives in this form's state only until it is sent; the signers until hidden. Every
// value is rendered as text (Preact escapes it), never as markup.
import { useState } from 'preact/hooks';
import { LEAD_API, type SignerRow } from '../../shared/lead-api';
import { call } from '../api';
import { when } from '../format';
import { DriveUnlockField, NO_SECRET, unlockBody, type UnlockSecret } from './DriveUnlockField';

const LATEST = 100;

export function SignersPanel({ driveId }: { driveId: string }) {
  const [signers, setSigners] = useState<SignerRow[]>();
  const [secret, setSecret] = useState<UnlockSecret>(NO_SECRET);
  const [opening, setOpening] = useState(false);
  const [error, setError] = useState<string>();

  async function open(event: Event) {
    event.preventDefault();
    setError(undefined);
    setOpening(true);
    try {
      setSigners((await call<{ signers: SignerRow[] }>('POST', LEAD_API.signatures(driveId), { ...unlockBody(secret), limit: LATEST })).signers);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      // Sent once, then forgotten: a wrong one is typed again.
      setSecret((s) => ({ ...s, value: '' }));
      setOpening(false);
    }
  }

  const unreadable = signers?.filter((s) => s.unreadable).length ?? 0;
  return (
    <section class="panel" aria-labelledby="signers-title">
      <h2 id="signers-title">Latest signers</h2>
      {!signers ? (
        <form aria-label="Open the latest signers" onSubmit={(e) => void open(e)}>
          <p>
            Signers' details are sealed. Type the drive's passphrase to open the latest {LATEST}: the server uses it for this one answer and keeps nothing, and
            the opening is recorded in the audit log.
          </p>
          <DriveUnlockField secret={secret} onChange={setSecret} />
          <button type="submit" disabled={opening}>
            {opening ? 'Opening…' : 'Show latest signers'}
          </button>
        </form>
      ) : (
        <button type="button" onClick={() => setSigners(undefined)}>
          Hide signers
        </button>
      )}
      {error && (
        <p role="alert" class="lead__error">
          {error}
        </p>
      )}
      {signers && signers.length === 0 && <p>No signatures yet.</p>}
      {unreadable > 0 && (
        <p class="lead__warn" role="note">
          {unreadable} record{unreadable === 1 ? '' : 's'} did not open with the drive's key: the sealed details were damaged or changed. They are never
          delivered.
        </p>
      )}
      {signers && signers.length > 0 && (
        // A region the keyboard can reach: at phone width the table scrolls sideways inside it.
        <div class="scroll" tabIndex={0} role="region" aria-label="Table of the latest signers">
          <table class="signers">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Address</th>
                <th scope="col">Email</th>
                <th scope="col">Volunteer</th>
                <th scope="col">Device · #</th>
                <th scope="col">Captured</th>
              </tr>
            </thead>
            <tbody>
              {signers.map((s) => (
                <tr key={s.id}>
                  {s.unreadable ? (
                    <td class="signer-name lead__warn" colSpan={2}>
                      Does not open with the drive's key ({s.city}, {s.state})
                    </td>
                  ) : (
                    <>
                      <td class="signer-name">
                        {s.givenName} {s.familyName}
                      </td>
                      <td>
                        {s.street}, {s.city}, {s.state} {s.zip}
                      </td>
                    </>
                  )}
                  <td>{s.email ?? ''}</td>
                  <td>{s.volunteer}</td>
                  <td>
                    {s.deviceName} · {s.seq}
                  </td>
                  <td>{when(s.capturedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
