interface Props {
  id: string;
  label: string;
  value: string;
  error?: string;
  onInput: (value: string) => void;
  autoComplete?: string;
  inputMode?: 'text' | 'numeric' | 'email' | 'tel';
  type?: 'text' | 'email' | 'tel';
  required?: boolean;
  maxLength?: number;
}

export function TextField({ id, label, value, error, onInput, autoComplete, inputMode, type = 'text', required, maxLength }: Props) {
  const errorId = `${id}-error`;
  return (
    <div class={error ? 'field field--invalid' : 'field'}>
      <label for={id}>{label}</label>
      <input
        id={id}
        name={id}
        type={type as 'text'}
        value={value}
        autoComplete={autoComplete}
        inputMode={inputMode}
        required={required}
        maxLength={maxLength}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? errorId : undefined}
        onInput={(e) => onInput(e.currentTarget.value)}
      />
      {error && (
        <p class="field__error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}
