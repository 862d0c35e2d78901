// "Signed with assistance": a signer who cannot sign unaided makes a mark; the volunteer attests
// that they helped, and the record carries who attested.
import type { Catalog } from '../i18n/catalog';

interface Props {
  catalog: Catalog;
  volunteer: string;
  assisted: boolean;
  attested: boolean;
  /** The attestation's problem, worded, when Save found it missing. */
  error?: string;
  onAssisted: (assisted: boolean) => void;
  onAttested: (attested: boolean) => void;
}

export function AssistedSigning({ catalog: t, volunteer, assisted, attested, error, onAssisted, onAttested }: Props) {
  return (
    <fieldset class="assist">
      <legend class="visually-hidden">{t.assisted}</legend>
      <label class="check">
        <input type="checkbox" autoComplete="off" checked={assisted} onChange={(e) => onAssisted(e.currentTarget.checked)} />
        <span>{t.assisted}</span>
      </label>
      {assisted && (
        <>
          <p class="hint">{t.assistedHint}</p>
          <label class={error ? 'check check--invalid' : 'check'}>
            <input
              id="attestation"
              type="checkbox"
              autoComplete="off"
              checked={attested}
              aria-describedby={error ? 'attestation-error' : undefined}
              onChange={(e) => onAttested(e.currentTarget.checked)}
            />
            <span>{t.attest(volunteer)}</span>
          </label>
          {error && (
            <p class="field__error" id="attestation-error">
              {error}
            </p>
          )}
        </>
      )}
    </fieldset>
  );
}
