// The drive's recovery key, shown once: after a drive is created or its first passphrase set. The
// server never sends it again and keeps no copy, so the organizer downloads it (a .txt made in the
// browser) or writes it down, and says so before going on.
import { useEffect, useRef } from 'preact/hooks';

export const UNRECOVERABLE_WARNING =
  'Fieldpen cannot recover this passphrase. Without it or the recovery key, nobody — not us, not you — can read the signers.';

function download(driveTitle: string, recoveryKey: string): void {
  const text = [
    `Fieldpen recovery key of the drive "${driveTitle}"`,
    '',
    recoveryKey,
    '',
    "It opens the drive's signers when its passphrase is lost (Drive passphrase → Use the recovery key).",
    'Keep it apart from the passphrase, somewhere only organizers can reach. Fieldpen keeps no copy.',
    '',
  ].join('\n');
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `fieldpen-recovery-key-${driveTitle.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'drive'}.txt`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function RecoveryKeyNotice({ driveTitle, recoveryKey, onSaved }: { driveTitle: string; recoveryKey: string; onSaved: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section class="panel recovery" aria-labelledby="recovery-title">
      <h2 id="recovery-title" tabIndex={-1} ref={heading}>
        Save the drive's recovery key now
      </h2>
      <p>
        This key opens the signers of <strong>{driveTitle}</strong> if the passphrase is lost. It is shown only now: Fieldpen keeps no copy and cannot show it
        again.
      </p>
      <p class="recovery__key">
        <code data-testid="recovery-key">{recoveryKey}</code>
      </p>
      <p class="lead__warn" role="note">
        {UNRECOVERABLE_WARNING}
      </p>
      <button type="button" onClick={() => download(driveTitle, recoveryKey)}>
        Download the recovery key
      </button>{' '}
      <button type="button" class="primary" onClick={onSaved}>
        I have saved it
      </button>
    </section>
  );
}
