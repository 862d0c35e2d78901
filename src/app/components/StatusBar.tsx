import { savedTotal$, todayCounts$, type TodayCounts } from '../../storage/signatures';
import { promptInstall } from '../../pwa/install';
import { useInstall } from '../hooks/useInstall';
import { useObservable } from '../hooks/useObservable';
import { useOnline } from '../hooks/useOnline';
import type { Route } from '../hooks/useRoute';
import { useSyncStatus } from '../hooks/useSyncStatus';
import { MESSAGES } from '../messages';

interface Props {
  route: Route;
  onSyncNow: () => void;
}

const NAV: { route: Route; href: string; label: string }[] = [
  { route: 'sign', href: '#', label: MESSAGES.navSign },
  { route: 'today', href: '#today', label: MESSAGES.navToday },
  { route: 'device', href: '#device', label: MESSAGES.navDevice },
];

/** Always on top: online or not, what is waiting, a sync in progress, and the way to the other screens. */
export function StatusBar({ route, onSyncNow }: Props) {
  const online = useOnline();
  const counts = useObservable<TodayCounts>(todayCounts$, []);
  const sync = useSyncStatus();
  const saved = useObservable<number>(savedTotal$, []);
  const install = useInstall();
  const progress = sync.running && sync.progress;
  return (
    <header class="status" lang="en">
      <div class="status__row">
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
      </div>
      <div class="status__row">
        <nav aria-label={MESSAGES.nav} class="nav">
          {NAV.map((n) => (
            <a key={n.route} href={n.href} class="nav__link" aria-current={route === n.route ? 'page' : undefined}>
              {n.label}
            </a>
          ))}
        </nav>
        {install === 'prompt' && (
          <button type="button" class="nav__link nav__button" onClick={() => void promptInstall()}>
            {MESSAGES.installButton}
          </button>
        )}
        {install === 'ios' && (
          <a class="nav__link" href="#device">
            {MESSAGES.installTitle}
          </a>
        )}
        <p class="status__detail" aria-live="polite">
          {sync.problem ? sync.problem.message : ''}
          {!sync.problem && sync.lastReceipt ? MESSAGES.receipt(saved ?? sync.lastReceipt.capturedThrough, sync.lastReceipt.received, sync.lastReceipt.code) : ''}
          {!sync.problem && sync.lastSuccessAt && sync.lastReceipt
            ? ` · ${MESSAGES.lastSync(new Date(sync.lastSuccessAt).toLocaleTimeString())}`
            : ''}
        </p>
      </div>
      {progress && <progress class="status__progress" max={progress.total} value={progress.sent} aria-label={MESSAGES.syncing} />}
    </header>
  );
}
