import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { MESSAGES } from '../messages';

/**
 * A screen loaded on first use, so the volunteer's first load carries only the signer form. The
 * service worker precaches every chunk, so this works offline too.
 */
export function lazyScreen<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | undefined;
  return function LazyScreen(props: P) {
    const [screen, setScreen] = useState<ComponentType<P> | 'failed' | undefined>(() => loaded);
    useEffect(() => {
      if (loaded) return;
      load().then(
        (c) => setScreen(() => (loaded = c)),
        (e: unknown) => {
          console.error(e);
          setScreen('failed');
        },
      );
    }, []);
    if (screen === 'failed')
      return (
        <main class="screen">
          <p role="alert">{MESSAGES.screenFailed}</p>
        </main>
      );
    if (!screen)
      return (
        <main class="screen" aria-busy="true">
          <p>{MESSAGES.loadingScreen}</p>
        </main>
      );
    const Screen = screen;
    return <Screen {...props} />;
  };
}
