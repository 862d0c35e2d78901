import { useEffect, useState } from 'preact/hooks';

interface Subscribable<T> {
  subscribe(observer: { next: (value: T) => void; error?: (e: unknown) => void }): { unsubscribe(): void };
}

/** Read a live query (or any observable) in a component; re-renders on every new value. */
export function useObservable<T>(make: () => Subscribable<T>, deps: unknown[]): T | undefined {
  const [value, setValue] = useState<T | undefined>(undefined);
  useEffect(() => {
    const subscription = make().subscribe({ next: setValue, error: (e) => console.error(e) });
    return () => subscription.unsubscribe();
    // The caller's deps, as with useMemo: `make` is a new function on every render.
  }, deps);
  return value;
}
