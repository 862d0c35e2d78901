import { useEffect, useState } from 'preact/hooks';
import { EnrollFailure, enrollDevice } from '../../sync/enroll';
import type { Enrollment } from '../../storage/settings';
import { TextField } from '../components/TextField';
import { MESSAGES } from '../messages';

interface Props {
  onEnrolled: (enrollment: Enrollment) => void;
}

export function EnrollScreen({ onEnrolled }: Props) {
  // The lead's QR code opens the app at #enroll=CODE: the code is filled in, nothing to type.
  const [code, setCode] = useState(() => new URLSearchParams(location.hash.slice(1)).get('enroll') ?? '');
  const [volunteer, setVolunteer] = useState('');
  const [deviceName, setDeviceName] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<{ code?: string; volunteer?: string; form?: string }>({});
  // The first thing to type is the code; when the lead's QR code brought it, the volunteer's name.
  useEffect(() => {
    document.getElementById(code ? 'volunteer' : 'enroll-code')?.focus();
  }, []);

  async function submit(e: Event) {
    e.preventDefault();
    const next: typeof errors = {};
    if (!code.trim()) next.code = 'Enter the enrollment code your lead gave you';
    if (!volunteer.trim()) next.volunteer = 'Enter your name: every signature you take carries it';
    setErrors(next);
    if (next.code || next.volunteer) return;
    setBusy(true);
    try {
      onEnrolled(await enrollDevice(code.trim(), volunteer.trim(), deviceName.trim() || undefined, __APP_VERSION__));
    } catch (err) {
      const message = err instanceof EnrollFailure ? err.message : MESSAGES.enrollFailed;
      setErrors(err instanceof EnrollFailure && err.field === 'code' ? { code: message } : { form: message });
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="screen enroll">
      <h1>{MESSAGES.enrollTitle}</h1>
      <p>{MESSAGES.enrollIntro}</p>
      <form onSubmit={submit} noValidate>
        <TextField id="enroll-code" label={MESSAGES.enrollCode} value={code} error={errors.code} onInput={setCode} autoComplete="off" required />
        <TextField
          id="volunteer"
          label={MESSAGES.volunteerName}
          value={volunteer}
          error={errors.volunteer}
          onInput={setVolunteer}
          autoComplete="name"
          required
          maxLength={80}
        />
        <TextField id="device-name" label={MESSAGES.deviceName} value={deviceName} onInput={setDeviceName} autoComplete="off" maxLength={80} />
        {errors.form && (
          <p class="form__error" role="alert">
            {errors.form}
          </p>
        )}
        <button type="submit" class="button button--primary" disabled={busy}>
          {busy ? MESSAGES.enrolling : MESSAGES.enrollButton}
        </button>
      </form>
    </main>
  );
}
