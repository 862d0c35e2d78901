import { useEffect, useState } from 'preact/hooks';

export const ROUTES = ['sign', 'today', 'device', 'shift'] as const;
export type Route = (typeof ROUTES)[number];

const current = (): Route => {
  const hash = location.hash.replace(/^#\/?/, '');
  return (ROUTES as readonly string[]).includes(hash) ? (hash as Route) : 'sign';
};

/** The screen in the address's hash (#today, #device, #shift; none is the signer form). */
export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const update = () => setRoute(current());
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

export const go = (route: Route): void => {
  location.hash = route === 'sign' ? '' : route;
};
