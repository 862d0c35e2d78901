import type { Language, PetitionVersion } from '../../shared/protocol';
import { LANGUAGE_NAMES, type Catalog } from '../i18n/catalog';

interface Props {
  petitions: PetitionVersion[];
  language: Language;
  catalog: Catalog;
  onLanguage: (language: Language) => void;
}

/** The petition in the signer's language, with the switch between the languages the drive has. */
export function PetitionCard({ petitions, language, catalog, onLanguage }: Props) {
  const petition = petitions.find((p) => p.language === language) ?? petitions[0];
  if (!petition) return null;
  return (
    <section class="petition" lang={petition.language} aria-labelledby="petition-title">
      {petitions.length > 1 && (
        <div class="petition__languages" role="group" aria-label={catalog.languageGroup}>
          {petitions.map((p) => (
            <button
              key={p.language}
              type="button"
              lang={p.language}
              class={p.language === petition.language ? 'chip chip--active' : 'chip'}
              aria-pressed={p.language === petition.language}
              onClick={() => onLanguage(p.language)}
            >
              {LANGUAGE_NAMES[p.language]}
            </button>
          ))}
        </div>
      )}
      <h1 id="petition-title" tabIndex={-1}>
        {petition.title}
      </h1>
      <div class="petition__text">
        {petition.text.split(/\n{2,}/).map((paragraph, i) => (
          <p key={i}>{paragraph}</p>
        ))}
      </div>
    </section>
  );
}
