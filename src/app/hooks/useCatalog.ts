import { useEffect, useState } from 'preact/hooks';
import type { Language } from '../../shared/protocol';
import { catalogNow, loadCatalog, type Catalog } from '../i18n/catalog';
import { en } from '../i18n/en';

/** The signer's catalog; English until another language has loaded (a few milliseconds, offline too). */
export function useCatalog(language: Language): { catalog: Catalog; language: Language } {
  const [state, setState] = useState(() => {
    const have = catalogNow(language);
    return have ? { catalog: have, language } : { catalog: en, language: 'en' as Language };
  });
  useEffect(() => {
    let live = true;
    void loadCatalog(language).then(
      (catalog) => live && setState({ catalog, language }),
      (e: unknown) => console.error('Catalog failed to load', e),
    );
    return () => void (live = false);
  }, [language]);
  return state;
}
