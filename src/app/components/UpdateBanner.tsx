import { useEffect, useState } from 'preact/hooks';
import type { ServiceWorkerHandle } from '../../pwa/register';
import { MESSAGES } from '../messages';

interface Props {
  serviceWorker: ServiceWorkerHandle;
  /** A reload would throw away what the signer typed: never update then. */
  formInProgress: boolean;
}

export function UpdateBanner({ serviceWorker, formInProgress }: Props) {
  const [apply, setApply] = useState<() => void>();
  useEffect(() => serviceWorker.onUpdateReady((a) => setApply(() => a)), [serviceWorker]);
  if (!apply) return null;
  return (
    <div class="update" role="status">
      <span>{MESSAGES.updateReady}</span>
      {formInProgress ? (
        <span>{MESSAGES.updateAfterForm}</span>
      ) : (
        <button type="button" class="button button--secondary" onClick={apply}>
          {MESSAGES.updateNow}
        </button>
      )}
    </div>
  );
}
