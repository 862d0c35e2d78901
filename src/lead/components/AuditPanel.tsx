// The organizers' view of the audit log: who opened, read or exported signers, who signed in and what
// changed, with the chain's check on top — a broken chain means someone edited the log.
import { useState } from 'preact/hooks';
import { AUDIT_PATH, type AuditAction, type AuditPage } from '../../shared/audit';
import { call } from '../api';
import { count, when } from '../format';

const ACTION_WORDS: Record<AuditAction, string> = {
  sign_in: 'Signed in',
  sign_out: 'Signed out',
  password_changed: 'Changed password',
  account_created: 'Created an account',
  lead_added: 'Added a lead',
  lead_removed: 'Removed a lead',
  drive_unlocked: 'Unlocked the drive',
  drive_unlock_failed: 'Tried a wrong drive passphrase',
  drive_passphrase_set: "Set the drive's passphrase",
  drive_passphrase_changed: "Changed the drive's passphrase",
  signers_read: 'Read signers',
  delivery_built: 'Built a delivery',
  delivery_downloaded: 'Downloaded a delivery',
  export_downloaded: 'Downloaded an export',
  device_revoked: 'Revoked a device',
  device_wiped: 'Wiped a device',
};

/** Every drive's entries and the account-wide ones (sign-ins, accounts): the log is one chain. */
export function AuditPanel() {
  const [page, setPage] = useState<AuditPage>();
  const [error, setError] = useState<string>();

  async function load() {
    setError(undefined);
    try {
      setPage(await call<AuditPage>('GET', `${AUDIT_PATH}?limit=100`));
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <section class="panel" aria-labelledby="audit-title">
      <h2 id="audit-title">Audit log</h2>
      <button type="button" onClick={() => void load()}>
        {page ? 'Refresh audit log' : 'Show audit log'}
      </button>
      {error && (
        <p role="alert" class="lead__error">
          {error}
        </p>
      )}
      {page && (
        <p role="status" class={page.check.intact ? 'lead__ok' : 'lead__error'}>
          {page.check.intact
            ? `✓ The log is whole: ${count(page.check.entries)} entries, each chained to the one before. Latest link ${page.check.head.slice(0, 16)}…`
            : `✗ The log was altered at entry ${page.check.brokenAt} (${page.check.problem?.replaceAll('_', ' ')}): entries were edited or deleted outside Fieldpen.`}
        </p>
      )}
      {page && page.entries.length === 0 && <p>Nothing recorded yet.</p>}
      {page && page.entries.length > 0 && (
        <div class="scroll" tabIndex={0} role="region" aria-label="Audit log entries">
          <table>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Drive</th>
                <th scope="col">Signers</th>
                <th scope="col">From</th>
              </tr>
            </thead>
            <tbody>
              {page.entries.map((entry) => (
                <tr key={entry.seq}>
                  <td>{entry.seq}</td>
                  <td>{when(entry.at)}</td>
                  <td>{entry.actor}</td>
                  <td>{ACTION_WORDS[entry.action] ?? entry.action}</td>
                  <td>{entry.driveId ?? ''}</td>
                  <td>{entry.signers === null ? '' : count(entry.signers)}</td>
                  <td>{entry.address ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
