import { useState } from 'preact/hooks';
import { VOID_REASON_MAX } from '../../shared/schema';
import { InvalidSignatureError } from '../../storage/errors';
import { todaySignatures$, voidSignature, type TodayEntry } from '../../storage/volunteer-day';
import { TextField } from '../components/TextField';
import { useObservable } from '../hooks/useObservable';
import { SCREEN_MESSAGES } from '../screen-messages';

/** The volunteer's own day: what was taken, what the server has, and striking a mistake. */
export function TodayScreen() {
  const entries = useObservable<TodayEntry[]>(todaySignatures$, []);
  const [voiding, setVoiding] = useState<string>();
  const [notice, setNotice] = useState<string>();
  if (!entries) return <main class="screen today" aria-busy="true" />;
  const voided = entries.filter((e) => e.state === 'voided').length;
  return (
    <main class="screen today">
      <h1>{SCREEN_MESSAGES.todayTitle}</h1>
      <p class="today__summary" data-testid="today-summary">
        {SCREEN_MESSAGES.todaySummary(entries.length, voided)}
      </p>
      <p class="notice notice--saved" role="status">
        {notice ?? ''}
      </p>
      {entries.length === 0 ? (
        <p>{SCREEN_MESSAGES.todayEmpty}</p>
      ) : (
        <ol class="today__list" reversed>
          {entries.map((entry) => (
            <li key={entry.id} class={`entry entry--${entry.state}`} data-testid="today-entry">
              <div class="entry__line">
                <span class="entry__seq">#{entry.seq}</span>
                <time dateTime={entry.capturedAt}>{new Date(entry.capturedAt).toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit' })}</time>
                {/* Initials and city: the tablet keeps no signer's name in clear (src/storage/device-db.ts). */}
                <span class="entry__name">
                  {SCREEN_MESSAGES.entrySigner(entry.initials, entry.city)}
                  {entry.assisted && <span class="entry__assisted"> ({SCREEN_MESSAGES.assistedMark})</span>}
                </span>
                <span class={`badge badge--${entry.state}`}>{SCREEN_MESSAGES.stateLabel[entry.state]}</span>
                {entry.state !== 'voided' && entry.state !== 'purged' && voiding !== entry.id && (
                  <button type="button" class="button button--secondary entry__void" onClick={() => setVoiding(entry.id)}>
                    {SCREEN_MESSAGES.voidButton(entry.seq)}
                  </button>
                )}
              </div>
              {entry.rejection && <p class="entry__reason">{entry.rejection.message}</p>}
              {entry.void && <p class="entry__reason">{entry.void.reason}</p>}
              {voiding === entry.id && (
                <VoidForm
                  entry={entry}
                  onCancel={() => setVoiding(undefined)}
                  onVoided={() => {
                    setVoiding(undefined);
                    setNotice(SCREEN_MESSAGES.voided(entry.seq));
                  }}
                />
              )}
            </li>
          ))}
        </ol>
      )}
    </main>
  );
}

function VoidForm({ entry, onCancel, onVoided }: { entry: TodayEntry; onCancel: () => void; onVoided: () => void }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string>();
  async function submit(e: Event) {
    e.preventDefault();
    if (reason.trim() === '') return setError(SCREEN_MESSAGES.voidReasonMissing);
    try {
      await voidSignature(entry.id, reason);
      onVoided();
    } catch (err) {
      setError(
        err instanceof RangeError
          ? err.message
          : err instanceof InvalidSignatureError
            ? (err.problems[0]?.message ?? SCREEN_MESSAGES.voidFailed)
            : SCREEN_MESSAGES.voidFailed,
      );
    }
  }
  const id = `void-reason-${entry.seq}`;
  return (
    <form class="void" onSubmit={submit} noValidate aria-label={SCREEN_MESSAGES.voidConfirm(entry.seq)}>
      <TextField
        id={id}
        label={SCREEN_MESSAGES.voidReason}
        hint={SCREEN_MESSAGES.voidReasonHint}
        value={reason}
        error={error}
        onInput={(v) => {
          setReason(v);
          setError(undefined);
        }}
        autoComplete="off"
        spellcheck
        required
        maxLength={VOID_REASON_MAX}
      />
      <div class="void__actions">
        <button type="submit" class="button button--danger">
          {SCREEN_MESSAGES.voidConfirm(entry.seq)}
        </button>
        <button type="button" class="button button--secondary" onClick={onCancel}>
          {SCREEN_MESSAGES.voidCancel}
        </button>
      </div>
    </form>
  );
}
