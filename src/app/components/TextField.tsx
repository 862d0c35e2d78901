interface Props {
  id: string;
  label: string;
  value: string;
  error?: string;
  hint?: string;
  onInput: (value: string) => void;
  onBlur?: () => void;
  autoComplete: string;
  inputMode?: 'text' | 'numeric' | 'email' | 'tel';
  type?: 'text' | 'email' | 'tel';
  required?: boolean;
  maxLength?: number;
  /** Names and addresses: no capitalisation or spelling fixes that change what the signer wrote. */
  autoCapitalize?: 'words' | 'characters' | 'none';
  spellcheck?: boolean;
}

export function TextField(props: Props) {
  const {
    id,
    label,
    value,
    error,
    hint,
    onInput,
    onBlur,
    autoComplete,
    inputMode = 'text',
    type = 'text',
    required,
    maxLength,
    autoCapitalize,
    spellcheck = false,
  } = props;
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ');
  return (
    <div class={error ? 'field field--invalid' : 'field'}>
      <label for={id}>{label}</label>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <input
        id={id}
        name={id}
        type={type as 'text'}
        value={value}
        autoComplete={autoComplete}
        inputMode={inputMode}
        autoCapitalize={autoCapitalize}
        spellcheck={spellcheck}
        required={required}
        maxLength={maxLength}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={described || undefined}
        onInput={(e) => onInput(e.currentTarget.value)}
        onBlur={onBlur}
      />
      {error && (
        <p class="field__error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}
