// The latest signers, details included. Only signed-in leads and organizers reach this API; every
// value is rendered as text (Preact escapes it), never as markup.
import { useState } from 'preact/hooks';
import { LEAD_API, type SignerRow } from '../../shared/lead-api';
import { call } from '../api';
import { when } from '../format';

export function SignersPanel({ driveId }: { driveId: string }) {
  const [signers, setSigners] = useState<SignerRow[]>();
  const [error, setError] = useState<string>();

  async function load() {
    setError(undefined);
    try {
      setSigners((await call<{ signers: SignerRow[] }>('GET', `${LEAD_API.signatures(driveId)}?limit=100`)).signers);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <section class="panel" aria-labelledby="signers-title">
      <h2 id="signers-title">Latest signers</h2>
      <button type="button" onClick={() => void load()}>
        {signers ? 'Refresh signers' : 'Show latest signers'}
      </button>
      {error && (
        <p role="alert" class="lead__error">
          {error}
        </p>
      )}
      {signers && signers.length === 0 && <p>No signatures yet.</p>}
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
                  <td class="signer-name">
                    {s.givenName} {s.familyName}
                  </td>
                  <td>
                    {s.street}, {s.city}, {s.state} {s.zip}
                  </td>
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
