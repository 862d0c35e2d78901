import type { Language, PetitionVersion } from '../../shared/protocol';
import { MESSAGES } from '../messages';

const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', es: 'Español', 'zh-Hans': '简体中文' };

interface Props {
  petitions: PetitionVersion[];
  language: Language;
  onLanguage: (language: Language) => void;
}

export function PetitionCard({ petitions, language, onLanguage }: Props) {
  const petition = petitions.find((p) => p.language === language) ?? petitions[0];
  if (!petition) return null;
  return (
    <section class="petition" lang={petition.language} aria-labelledby="petition-title">
      {petitions.length > 1 && (
        <div class="petition__languages" role="group" aria-label={MESSAGES.petitionLanguage}>
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
      <h2 id="petition-title">{petition.title}</h2>
      {petition.text.split(/\n{2,}/).map((paragraph, i) => (
        <p key={i}>{paragraph}</p>
      ))}
    </section>
  );
}
