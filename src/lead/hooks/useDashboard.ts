// The dashboard's figures, live: one fetch, then server-sent events as devices sync. EventSource
// reconnects by itself; the page says when it is not live.
import { useEffect, useState } from 'preact/hooks';
import { LEAD_API, type Dashboard } from '../../shared/lead-api';
import type { ApiError } from '../../shared/protocol';
import { call } from '../api';

export interface LiveDashboard {
  dashboard: Dashboard | undefined;
  live: boolean;
  error: string | undefined;
}

export function useDashboard(driveId: string): LiveDashboard {
  const [dashboard, setDashboard] = useState<Dashboard>();
  const [live, setLive] = useState(false);
  const [error, setError] = useState<string>();
  useEffect(() => {
    let stopped = false;
    call<Dashboard>('GET', LEAD_API.dashboard(driveId))
      .then((d) => !stopped && setDashboard(d))
      .catch((e: Error) => !stopped && setError(e.message));
    const events = new EventSource(LEAD_API.events(driveId));
    events.addEventListener('open', () => setLive(true));
    events.addEventListener('error', (event) => {
      setLive(false);
      // The server's own word (its `error` event: the session ended, the figures could not be read).
      const data = (event as MessageEvent<string | undefined>).data;
      if (data) setError((JSON.parse(data) as ApiError).error.message);
    });
    events.addEventListener('dashboard', (event) => {
      setDashboard(JSON.parse((event as MessageEvent<string>).data) as Dashboard);
      setError(undefined);
      setLive(true);
    });
    return () => {
      stopped = true;
      events.close();
    };
  }, [driveId]);
  return { dashboard, live, error };
}
