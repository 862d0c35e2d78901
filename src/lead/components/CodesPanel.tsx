// Enrollment codes: short, limited-use, expiring; read out or scanned as a QR code.
import { useEffect, useState } from 'preact/hooks';
import { LEAD_API, MAX_CODE_USES, type EnrollmentCodeInfo } from '../../shared/lead-api';
import { call } from '../api';
import { when } from '../format';

export function CodesPanel({ driveId }: { driveId: string }) {
  const [codes, setCodes] = useState<EnrollmentCodeInfo[]>([]);
  const [uses, setUses] = useState(5);
  const [hours, setHours] = useState(12);
  const [error, setError] = useState<string>();

  useEffect(() => {
    call<{ codes: EnrollmentCodeInfo[] }>('GET', LEAD_API.codes(driveId))
      .then((r) => setCodes(r.codes))
      .catch((e: Error) => setError(e.message));
  }, [driveId]);

  async function create(event: Event) {
    event.preventDefault();
    setError(undefined);
    try {
      const code = await call<EnrollmentCodeInfo>('POST', LEAD_API.codes(driveId), { uses, hours });
      setCodes((list) => [code, ...list]);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <section class="panel" aria-labelledby="codes-title">
      <h2 id="codes-title">Enroll devices</h2>
      <form class="inline" onSubmit={(e) => void create(e)}>
        <label>
          Devices it enrolls
          <input type="number" min={1} max={MAX_CODE_USES} value={uses} onInput={(e) => setUses(Number(e.currentTarget.value))} />
        </label>
        <label>
          Valid for (hours)
          <input type="number" min={1} max={24 * 90} value={hours} onInput={(e) => setHours(Number(e.currentTarget.value))} />
        </label>
        <button type="submit">Create enrollment code</button>
      </form>
      {error && (
        <p role="alert" class="lead__error">
          {error}
        </p>
      )}
      <ul class="codes">
        {codes.map((c) => (
          <li key={c.code} class="code">
            {/* An <img>, not inline SVG: whatever the markup, an image never runs script. */}
            <img
              src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(c.qrSvg)}`}
              alt={`QR code for enrollment code ${c.code}`}
              width={160}
              height={160}
            />
            <div>
              <p class="code__text" data-testid="enrollment-code">
                {c.code}
              </p>
              <p>
                Enrolls {c.usesLeft} more device{c.usesLeft === 1 ? '' : 's'}; expires {when(c.expiresAt)}
              </p>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
