// The volunteer roster: the names tablets offer when a shift starts (sent with the drive on sync).
import { useEffect, useState } from 'preact/hooks';
import { LEAD_API } from '../../shared/lead-api';
import { call } from '../api';

export function RosterPanel({ driveId }: { driveId: string }) {
  const [text, setText] = useState('');
  const [saved, setSaved] = useState<string>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    call<{ volunteers: string[] }>('GET', LEAD_API.roster(driveId))
      .then((r) => setText(r.volunteers.join('\n')))
      .catch((e: Error) => setError(e.message));
  }, [driveId]);

  async function save(event: Event) {
    event.preventDefault();
    setError(undefined);
    setSaved(undefined);
    try {
      const volunteers = text
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      const r = await call<{ volunteers: string[] }>('PUT', LEAD_API.roster(driveId), { volunteers });
      setText(r.volunteers.join('\n'));
      setSaved(`Saved ${r.volunteers.length} names; devices get them on their next sync.`);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <section class="panel" aria-labelledby="roster-title">
      <h2 id="roster-title">Volunteer roster</h2>
      <form onSubmit={(e) => void save(e)}>
        <label>
          One name per line
          <textarea rows={5} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        <button type="submit">Save roster</button>
      </form>
      {saved && (
        <p class="lead__ok" role="status">
          {saved}
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
