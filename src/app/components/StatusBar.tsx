import { savedTotal$, todayCounts$, type TodayCounts } from '../../storage/signatures';
import { useObservable } from '../hooks/useObservable';
import { useOnline } from '../hooks/useOnline';
import { useSyncStatus } from '../hooks/useSyncStatus';
import { MESSAGES } from '../messages';

interface Props {
  onSyncNow: () => void;
}

export function StatusBar({ onSyncNow }: Props) {
  const online = useOnline();
  const counts = useObservable<TodayCounts>(todayCounts$, []);
  const sync = useSyncStatus();
  const saved = useObservable<number>(savedTotal$, []);
  const progress = sync.running && sync.progress;
  return (
    <header class="status" role="banner">
      <span class={online ? 'pill pill--online' : 'pill pill--offline'} role="status">
        {online ? MESSAGES.online : MESSAGES.offline}
      </span>
      <span class="status__count" data-testid="waiting-count">{MESSAGES.waiting(counts?.waiting ?? 0)}</span>
      <span class="status__count" data-testid="saved-today">{MESSAGES.savedToday(counts?.savedToday ?? 0)}</span>
      <span class="status__count" data-testid="confirmed-today">{MESSAGES.confirmedToday(counts?.confirmedToday ?? 0)}</span>
      {counts && counts.rejected > 0 && <span class="status__count status__count--warn">{MESSAGES.rejected(counts.rejected)}</span>}
      <button type="button" class="button button--secondary status__sync" onClick={onSyncNow} disabled={sync.running}>
        {sync.running ? MESSAGES.syncing : MESSAGES.syncNow}
      </button>
      {progress && <progress class="status__progress" max={progress.total} value={progress.sent} aria-label={MESSAGES.syncing} />}
      <p class="status__detail" aria-live="polite">
        {sync.problem ? sync.problem.message : ''}
        {!sync.problem && sync.lastSuccessAt && sync.lastReceipt
          ? `${MESSAGES.lastSync(new Date(sync.lastSuccessAt).toLocaleTimeString())} · `
          : ''}
        {!sync.problem && sync.lastReceipt ? MESSAGES.receipt(saved ?? sync.lastReceipt.capturedThrough, sync.lastReceipt.received, sync.lastReceipt.code) : ''}
      </p>
    </header>
  );
}
