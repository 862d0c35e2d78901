import { savedTotal$, todayCounts$, type TodayCounts } from '../../storage/signatures';
import { promptInstall } from '../../pwa/install';
import { useInstall } from '../hooks/useInstall';
import { useObservable } from '../hooks/useObservable';
import { useOnline } from '../hooks/useOnline';
import type { Route } from '../hooks/useRoute';
import { useSyncStatus } from '../hooks/useSyncStatus';
import { serverState } from '../../sync/sync-status';
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

/**
 * Always on top, in two short rows: whether the server can be reached now and what is safe on the
 * tablet, what waits and the server's receipt, in one statement; then the screens and Sync now.
 */
export function StatusBar({ route, onSyncNow }: Props) {
  const online = useOnline();
  const counts = useObservable<TodayCounts>(todayCounts$, []);
  const sync = useSyncStatus();
  const saved = useObservable<number>(savedTotal$, []);
  const install = useInstall();
  const progress = sync.running && sync.progress;
  const state = serverState(sync, online);
  // "No connection" is what the pill says already; any other problem is said in words.
  const problem = sync.problem && sync.problem.kind !== 'offline' ? sync.problem.message : '';
  const statement = MESSAGES.statement({
    saved: saved ?? sync.lastReceipt?.capturedThrough ?? 0,
    waiting: counts?.waiting ?? 0,
    rejected: counts?.rejected ?? 0,
    ...(sync.lastReceipt ? { receipt: sync.lastReceipt } : {}),
  });
  return (
    <header class="status" lang="en">
      <div class="status__row">
        <span class={`pill pill--${state}`} role="status" data-testid="server-state">
          {MESSAGES.server[state]}
        </span>
        <p class="status__detail" data-testid="sync-statement" aria-live="polite">
          {problem && <strong class="status__problem">{problem} </strong>}
          {statement}
        </p>
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
        <button type="button" class="button button--secondary status__sync" onClick={onSyncNow} disabled={sync.running}>
          {sync.running ? MESSAGES.syncing : MESSAGES.syncNow}
        </button>
      </div>
      {progress && <progress class="status__progress" max={progress.total} value={progress.sent} aria-label={MESSAGES.syncing} />}
    </header>
  );
}
