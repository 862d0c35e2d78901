import { useEffect, useState } from 'preact/hooks';
import { getSyncStatus, subscribeSyncStatus, type SyncStatus } from '../../sync/sync-status';

export function useSyncStatus(): SyncStatus {
  const [status, setStatus] = useState(getSyncStatus());
  useEffect(() => subscribeSyncStatus(setStatus), []);
  return status;
}
