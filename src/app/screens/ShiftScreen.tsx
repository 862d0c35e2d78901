import { useState } from 'preact/hooks';
import { endShift } from '../../storage/purge';
import { saveVolunteer } from '../../storage/settings';
import { TextField } from '../components/TextField';
import { SCREEN_MESSAGES } from '../screen-messages';

interface Props {
  /** The drive's volunteers, from the server at enrollment. */
  roster: string[];
  current: string;
  /** A shift started; with '' the shift ended: no one is collecting on this tablet now. */
  onStarted: (volunteer: string) => void;
}

const NEW = '\u0000new';

/**
 * A volunteer's shift on this tablet: every signature taken from now on carries their name. Ending it
 * ("End shift", or another volunteer starting) removes the confirmed signers' details (src/storage/purge.ts).
 */
export function ShiftScreen({ roster, current, onStarted }: Props) {
  const known = roster.includes(current);
  const [picked, setPicked] = useState(known ? current : roster.length > 0 && current === '' ? '' : NEW);
  const [typed, setTyped] = useState(known ? '' : current);
  const [error, setError] = useState<string>();
  const [ended, setEnded] = useState<string>();

  async function start(e: Event) {
    e.preventDefault();
    const name = (picked === NEW ? typed : picked).trim();
    if (name === '') return setError(SCREEN_MESSAGES.shiftNameMissing);
    // Another volunteer takes over: the last one's shift ends here.
    if (current !== '' && name !== current) await endShift(new Date(), { volunteer: name });
    else await saveVolunteer(name);
    onStarted(name);
  }

  async function end() {
    await endShift();
    setPicked(roster.length > 0 ? '' : NEW);
    setTyped('');
    setEnded(SCREEN_MESSAGES.shiftEnded);
    onStarted('');
  }

  return (
    <main class="screen shift">
      <h1>{SCREEN_MESSAGES.shiftTitle}</h1>
      <p>{SCREEN_MESSAGES.shiftIntro}</p>
      {ended && (
        <p class="notice" role="status">
          {ended}
        </p>
      )}
      <form onSubmit={start} noValidate>
        {roster.length > 0 && (
          <fieldset class="roster">
            <legend>{SCREEN_MESSAGES.shiftRoster}</legend>
            {[...roster, NEW].map((name) => (
              <label key={name} class="check roster__name">
                <input
                  type="radio"
                  name="volunteer"
                  value={name}
                  checked={picked === name}
                  onChange={() => {
                    setPicked(name);
                    setError(undefined);
                  }}
                />
                <span>{name === NEW ? SCREEN_MESSAGES.shiftSomeoneElse : name}</span>
              </label>
            ))}
          </fieldset>
        )}
        {picked === NEW && (
          <TextField
            id="shift-name"
            label={SCREEN_MESSAGES.shiftNewName}
            value={typed}
            error={error}
            onInput={(v) => {
              setTyped(v);
              setError(undefined);
            }}
            autoComplete="name"
            autoCapitalize="words"
            required
            maxLength={80}
          />
        )}
        {error && picked !== NEW && (
          <p class="form__error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="button button--primary">
          {SCREEN_MESSAGES.shiftStart}
        </button>
      </form>
      {current !== '' && (
        <section class="shift__end" aria-labelledby="shift-end-title">
          <h2 id="shift-end-title">{SCREEN_MESSAGES.shiftEndTitle(current)}</h2>
          <p>{SCREEN_MESSAGES.shiftEndHint}</p>
          <button type="button" class="button button--secondary" onClick={() => void end()}>
            {SCREEN_MESSAGES.shiftEnd}
          </button>
        </section>
      )}
    </main>
  );
}
