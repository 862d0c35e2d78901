import { useEffect, useState } from 'preact/hooks';
import type { DriveInfo } from '../../shared/protocol';
import type { DeviceEnrollment } from '../../storage/settings';
import { deviceCounts, type DeviceCounts } from '../../storage/outbox';
import { InstallGuide } from '../components/InstallGuide';
import { useInstall } from '../hooks/useInstall';
import { useSyncStatus } from '../hooks/useSyncStatus';
import { MESSAGES } from '../messages';
import { SCREEN_MESSAGES } from '../screen-messages';

interface Props {
  enrollment: DeviceEnrollment;
  drive: DriveInfo;
}

interface StorageFacts {
  persisted: boolean;
  usage?: number;
  quota?: number;
}

async function readStorage(): Promise<StorageFacts> {
  const persisted = (await navigator.storage?.persisted?.().catch(() => false)) ?? false;
  const estimate = await navigator.storage?.estimate?.().catch(() => undefined);
  return { persisted, ...(estimate ? { usage: estimate.usage, quota: estimate.quota } : {}) };
}

const bytes = (n: number): string => {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n >= 100 || i === 0 ? Math.round(n) : n.toFixed(1)} ${units[i]}`;
};

/** What a lead checks before a tablet goes out: is its storage safe, is it installed, what is waiting. */
export function DeviceScreen({ enrollment, drive }: Props) {
  const [storage, setStorage] = useState<StorageFacts>();
  const [counts, setCounts] = useState<DeviceCounts>();
  const install = useInstall();
  const sync = useSyncStatus();

  useEffect(() => {
    void readStorage().then(setStorage);
    void deviceCounts().then(setCounts);
  }, [sync.lastSuccessAt]);

  async function askPersist() {
    await navigator.storage?.persist?.().catch(() => false);
    setStorage(await readStorage());
  }

  const installed = install === 'installed';
  return (
    <main class="screen device">
      <h1>{SCREEN_MESSAGES.deviceTitle}</h1>
      {storage && !storage.persisted && (
        <div class="warning" role="alert" data-testid="warn-not-persisted">
          <p>{SCREEN_MESSAGES.warnNotPersisted}</p>
          <button type="button" class="button button--secondary" onClick={() => void askPersist()}>
            {SCREEN_MESSAGES.askPersist}
          </button>
        </div>
      )}
      {!installed && (
        <p class="warning" role="alert" data-testid="warn-not-installed">
          {SCREEN_MESSAGES.warnNotInstalled}
        </p>
      )}
      <dl class="facts">
        <dt>{SCREEN_MESSAGES.persistence}</dt>
        <dd data-testid="persisted">{storage ? (storage.persisted ? SCREEN_MESSAGES.persistedYes : SCREEN_MESSAGES.persistedNo) : '…'}</dd>
        <dt>{SCREEN_MESSAGES.storageUsed}</dt>
        <dd data-testid="storage-estimate">
          {storage?.usage !== undefined && storage.quota !== undefined
            ? SCREEN_MESSAGES.storageOf(bytes(storage.usage), bytes(storage.quota))
            : SCREEN_MESSAGES.storageUnknown}
        </dd>
        <dt>{SCREEN_MESSAGES.installedLabel}</dt>
        <dd data-testid="installed">{installed ? SCREEN_MESSAGES.yes : SCREEN_MESSAGES.no}</dd>
        <dt>{SCREEN_MESSAGES.capturedThrough}</dt>
        <dd>{counts?.capturedThrough ?? '…'}</dd>
        <dt>{SCREEN_MESSAGES.waitingToSync}</dt>
        <dd>{counts?.waiting ?? '…'}</dd>
        {sync.lastReceipt && (
          <>
            <dt>{MESSAGES.lastSync(new Date(sync.lastSuccessAt ?? Date.now()).toLocaleTimeString())}</dt>
            <dd data-testid="receipt">
              {SCREEN_MESSAGES.receiptLine(
                sync.lastReceipt.received,
                sync.lastReceipt.capturedThrough,
                sync.lastReceipt.code,
                sync.lastReceipt.complete,
                sync.lastReceipt.missingCount,
              )}
            </dd>
          </>
        )}
        <dt>{SCREEN_MESSAGES.tabletName}</dt>
        <dd>{enrollment.deviceName ?? '—'}</dd>
        <dt>{SCREEN_MESSAGES.deviceId}</dt>
        <dd class="facts__id">{enrollment.deviceId}</dd>
        <dt>{SCREEN_MESSAGES.enrolledAt}</dt>
        <dd>{new Date(enrollment.enrolledAt).toLocaleString()}</dd>
        <dt>{SCREEN_MESSAGES.appVersion}</dt>
        <dd>{__APP_VERSION__}</dd>
      </dl>
      <p class="hint">{drive.title}</p>
      <InstallGuide />
    </main>
  );
}
