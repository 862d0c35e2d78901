import { US_STATES } from '../../shared/us-states';

interface Props {
  label: string;
  chooseLabel: string;
  value: string;
  error?: string;
  onInput: (value: string) => void;
}

export function StateSelect({ label, chooseLabel, value, error, onInput }: Props) {
  return (
    <div class={error ? 'field field--invalid' : 'field'}>
      <label for="state">{label}</label>
      <select
        id="state"
        name="state"
        autoComplete="off"
        value={value}
        required
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? 'state-error' : undefined}
        onChange={(e) => onInput(e.currentTarget.value)}
      >
        <option value="">{chooseLabel}</option>
        {US_STATES.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
      {error && (
        <p class="field__error" id="state-error">
          {error}
        </p>
      )}
    </div>
  );
}
