import { useEffect, useState } from 'preact/hooks';
import { installState, subscribeInstall, type InstallState } from '../../pwa/install';

export function useInstall(): InstallState {
  const [state, setState] = useState(installState);
  useEffect(() => subscribeInstall(() => setState(installState())), []);
  return state;
}
