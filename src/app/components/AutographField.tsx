import { useEffect, useRef } from 'preact/hooks';
import { AutographPad } from '../../capture/autograph-pad';
import type { Catalog } from '../i18n/catalog';

interface Props {
  catalog: Catalog;
  error?: string;
  /** Receives the pad once mounted, so the form can read, restore and clear it. */
  onReady: (pad: AutographPad) => void;
  onChange: (pad: AutographPad) => void;
}

export function AutographField({ catalog, error, onReady, onChange }: Props) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const pad = useRef<AutographPad>(undefined);
  const changed = useRef(onChange);
  changed.current = onChange;
  useEffect(() => {
    if (!canvas.current) return;
    const created = new AutographPad(canvas.current, (p) => changed.current(p));
    pad.current = created;
    onReady(created);
    return () => created.destroy();
    // Once per mount: the pad keeps its own state; `changed` is a ref so it always calls the current handler.
  }, []);
  const describedBy = error ? 'autograph-hint autograph-error' : 'autograph-hint';
  return (
    <div class={error ? 'field autograph field--invalid' : 'field autograph'}>
      {/* Label and hint beside Undo and Clear: one row fewer between the form and Save. */}
      <div class="autograph__head">
        <div>
          <span class="label" id="autograph-label">
            {catalog.autograph}
          </span>
          <p class="hint" id="autograph-hint">
            {catalog.autographHint}
          </p>
        </div>
        <div class="autograph__actions">
          <button type="button" class="button button--secondary" onClick={() => pad.current?.undo()}>
            {catalog.undo}
          </button>
          <button type="button" class="button button--secondary" onClick={() => pad.current?.clear()}>
            {catalog.clear}
          </button>
        </div>
      </div>
      <canvas ref={canvas} class="autograph__pad" role="img" aria-labelledby="autograph-label" aria-describedby={describedBy} />
      {error && (
        <p class="field__error" id="autograph-error">
          {error}
        </p>
      )}
    </div>
  );
}
