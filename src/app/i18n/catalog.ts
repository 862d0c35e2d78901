// What a signer reads, in their language. The petition itself comes from the drive; everything
// around it comes from one catalog per language. English is in the first load; the others load when
// a signer picks them (the service worker has them all offline).
import type { Problem, SignerField } from '../../capture/signer-form';
import type { Language } from '../../shared/protocol';
import { en } from './en';

export interface Catalog {
  /** The language's own name, on its button. */
  name: string;
  languageGroup: string;
  signerForm: string;
  fields: Record<SignerField, string>;
  /** The email's label where the drive requires it. */
  emailRequired: string;
  chooseState: string;
  autograph: string;
  autographHint: string;
  undo: string;
  clear: string;
  assisted: string;
  assistedHint: string;
  attest: (volunteer: string) => string;
  save: string;
  saving: string;
  saved: (seq: number) => string;
  thanks: string;
  nextSigner: string;
  fixFields: (n: number) => string;
  sameSigner: (seq: number, time: string) => string;
  problems: Record<Problem, (field: string) => string>;
  saveFailed: string;
  storageFull: string;
}

const loaders: Record<Exclude<Language, 'en'>, () => Promise<Catalog>> = {
  es: () => import('./es').then((m) => m.es),
  'zh-Hans': () => import('./zh-hans').then((m) => m.zhHans),
};

const loaded: Partial<Record<Language, Catalog>> = { en };

/** The catalog if it is already here (English always is). */
export const catalogNow = (language: Language): Catalog | undefined => loaded[language];

export async function loadCatalog(language: Language): Promise<Catalog> {
  const have = loaded[language];
  if (have) return have;
  const catalog = await loaders[language as Exclude<Language, 'en'>]();
  loaded[language] = catalog;
  return catalog;
}

/** Every language's own name, for the switch (the names are tiny; the catalogs are not). */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', es: 'Español', 'zh-Hans': '简体中文' };
