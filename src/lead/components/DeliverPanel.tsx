// Deliver (organizers only): choose what goes to the recipient — privacy defaults, street and email
// only when ticked — see every signature left out and why before building, settle repeat signers
// pair by pair, build with a progress bar, download, and list every past delivery with its SHA-256.
// A preview and a build open the sealed signers: the organizer types the drive's passphrase, kept in
// this panel's state until the build starts, then cleared.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { DeliveryOptions, DeliveryPreview, ExcludedSigner, RepeatExclusion } from '../../shared/delivery';
import { LEAD_API, type DeliveryStarted, type DeliverySummary, type DriveDetails } from '../../shared/lead-api';
import { call, downloadFile } from '../api';
import { count, when } from '../format';
import { DriveUnlockField, NO_SECRET, unlockBody, type UnlockSecret } from './DriveUnlockField';

/** How often the panel asks how far a build is. */
const POLL_MS = 500;

/** Per repeat pair: the first signature counts (default), the later one instead, or both. */
type RepeatChoice = 'first' | 'later' | 'both';

const REASONS: { key: keyof DeliveryPreview['excluded']; title: string }[] = [
  { key: 'voided', title: 'Voided by the volunteer' },
  { key: 'rejected', title: 'Rejected records' },
  { key: 'conflict', title: 'Conflicts' },
  { key: 'unreadable', title: "Records that do not open with the drive's key (damaged or changed)" },
];

function list(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function overridesOf(pairs: readonly RepeatExclusion[], choices: Record<string, RepeatChoice>): Record<string, 'include' | 'exclude'> {
  const out: Record<string, 'include' | 'exclude'> = {};
  for (const pair of pairs) {
    const choice = choices[pair.id] ?? 'first';
    if (choice === 'later') Object.assign(out, { [pair.id]: 'include', [pair.repeatOf]: 'exclude' });
    if (choice === 'both') out[pair.id] = 'include';
  }
  return out;
}

function signerLine(s: ExcludedSigner): string {
  const place = [s.city, s.state].filter(Boolean).join(', ');
  return [s.name ?? 'Name not kept', place, s.capturedAt ? when(s.capturedAt) : ''].filter(Boolean).join(' · ');
}

function optionsLine(o: DeliveryOptions): string {
  const parts = ['name, city, state, ZIP, date'];
  if (o.fields.street) parts.push('street');
  if (o.fields.email) parts.push('email');
  const filters = [
    o.from && `from ${o.from}`,
    o.to && `to ${o.to}`,
    o.states?.length && `states ${o.states.join(' ')}`,
    o.cities?.length && `cities ${o.cities.join(', ')}`,
    o.petitionVersions?.length && `${o.petitionVersions.length} text version(s)`,
  ].filter(Boolean);
  return `${parts.join(', ')}${filters.length ? `; ${filters.join('; ')}` : ''}${o.perState ? '; one package per state' : ''}`;
}

export function DeliverPanel({ driveId }: { driveId: string }) {
  const [street, setStreet] = useState(false);
  const [email, setEmail] = useState(false);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [states, setStates] = useState('');
  const [cities, setCities] = useState('');
  const [versions, setVersions] = useState<string[]>([]);
  const [perState, setPerState] = useState(false);
  const [choices, setChoices] = useState<Record<string, RepeatChoice>>({});
  const [pairs, setPairs] = useState<RepeatExclusion[]>([]);
  const [drive, setDrive] = useState<DriveDetails>();
  const [preview, setPreview] = useState<DeliveryPreview>();
  const [previewing, setPreviewing] = useState(false);
  const [building, setBuilding] = useState<DeliverySummary>();
  const [finished, setFinished] = useState<DeliverySummary>();
  const [past, setPast] = useState<DeliverySummary[]>([]);
  const [error, setError] = useState<string>();
  const [secret, setSecret] = useState<UnlockSecret>(NO_SECRET);
  const polling = useRef<number | undefined>(undefined);

  const options = (): DeliveryOptions => {
    const o: DeliveryOptions = { fields: { street, email }, perState };
    if (from) o.from = from;
    if (to) o.to = to;
    if (list(states).length) o.states = list(states).map((s) => s.toUpperCase()) as DeliveryOptions['states'];
    if (list(cities).length) o.cities = list(cities);
    if (versions.length) o.petitionVersions = versions;
    const overrides = overridesOf(pairs, choices);
    if (Object.keys(overrides).length) o.repeatOverrides = overrides;
    return o;
  };

  async function loadPast(): Promise<DeliverySummary[]> {
    const { deliveries } = await call<{ deliveries: DeliverySummary[] }>('GET', LEAD_API.deliveries(driveId));
    setPast(deliveries);
    return deliveries;
  }

  function follow(id: string) {
    window.clearTimeout(polling.current);
    const tick = async () => {
      try {
        const d = await call<DeliverySummary>('GET', LEAD_API.delivery(driveId, id));
        if (d.state === 'building') {
          setBuilding(d);
          polling.current = window.setTimeout(() => void tick(), POLL_MS);
          return;
        }
        setBuilding(undefined);
        setFinished(d);
        await loadPast();
      } catch (e) {
        setError((e as Error).message);
        polling.current = window.setTimeout(() => void tick(), POLL_MS * 4);
      }
    };
    void tick();
  }

  useEffect(() => {
    call<DriveDetails>('GET', LEAD_API.drive(driveId)).then(setDrive, (e: Error) => setError(e.message));
    loadPast()
      .then((all) => {
        const running = all.find((d) => d.state === 'building');
        if (running) follow(running.id);
      })
      .catch((e: Error) => setError(e.message));
    return () => window.clearTimeout(polling.current);
  }, [driveId]);

  // Any change of what goes in makes the preview stale: build only what was shown.
  useEffect(() => setPreview(undefined), [street, email, from, to, states, cities, versions, perState]);

  async function runPreview(event?: Event) {
    event?.preventDefault();
    setError(undefined);
    setPreviewing(true);
    try {
      const p = await call<DeliveryPreview>('POST', LEAD_API.deliveryPreview(driveId), { ...options(), ...unlockBody(secret) });
      setPairs((known) => {
        const seen = new Set(known.flatMap((k) => [k.id, k.repeatOf]));
        return [...known, ...p.excluded.repeat.filter((r) => !seen.has(r.id) && !seen.has(r.repeatOf))];
      });
      setPreview(p);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setPreviewing(false);
    }
  }

  // A changed decision on a repeat pair changes the counts: preview again at once.
  useEffect(() => {
    if (pairs.length) void runPreview();
  }, [choices]);

  async function build() {
    setError(undefined);
    setFinished(undefined);
    try {
      const { id } = await call<DeliveryStarted>('POST', LEAD_API.deliveries(driveId), { ...options(), ...unlockBody(secret) });
      // The build has what it needs: the passphrase leaves the page's memory.
      setSecret(NO_SECRET);
      follow(id);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  const progress = building?.progress;
  const shared = street || email;
  return (
    <section class="panel deliver" aria-labelledby="deliver-title">
      <h2 id="deliver-title">Deliver</h2>
      <form aria-label="Delivery options" onSubmit={(e) => void runPreview(e)}>
        <fieldset>
          <legend>What goes to the recipient</legend>
          <p>Always: each signer's name, city, state, ZIP code and date signed, and their autograph.</p>
          <label class="check">
            <input type="checkbox" checked={street} onChange={(e) => setStreet(e.currentTarget.checked)} /> Street address
          </label>
          <label class="check">
            <input type="checkbox" checked={email} onChange={(e) => setEmail(e.currentTarget.checked)} /> Email
          </label>
          {shared && (
            <p class="lead__warn" role="note">
              The list leaves the campaign's hands: the recipient gets every delivered signer's{' '}
              {[street && 'street address', email && 'email'].filter(Boolean).join(' and ')}, and can keep, copy or publish them.
            </p>
          )}
        </fieldset>
        <fieldset>
          <legend>Which signatures</legend>
          <div class="inline">
            <label>
              Signed from <input type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
            </label>
            <label>
              Signed to <input type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
            </label>
            <label>
              States (e.g. OH, TX) <input value={states} onInput={(e) => setStates(e.currentTarget.value)} />
            </label>
            <label>
              Cities (comma-separated) <input value={cities} onInput={(e) => setCities(e.currentTarget.value)} />
            </label>
          </div>
          {drive && drive.versions.length > 1 && (
            <fieldset>
              <legend>Petition text versions (none ticked: all)</legend>
              {drive.versions.map((v) => (
                <label class="check" key={v.version}>
                  <input
                    type="checkbox"
                    checked={versions.includes(v.version)}
                    onChange={(e) => setVersions((now) => (e.currentTarget.checked ? [...now, v.version] : now.filter((x) => x !== v.version)))}
                  />{' '}
                  {v.language}: {v.title} ({v.createdAt.slice(0, 10)})
                </label>
              ))}
            </fieldset>
          )}
          <label class="check">
            <input type="checkbox" checked={perState} onChange={(e) => setPerState(e.currentTarget.checked)} /> One package per state
          </label>
        </fieldset>
        <fieldset>
          <legend>Open the signers</legend>
          <p>The preview and the build open the drive's sealed signers with its passphrase; the opening is recorded in the audit log.</p>
          <DriveUnlockField secret={secret} onChange={setSecret} />
        </fieldset>
        <button type="submit" disabled={previewing}>
          {previewing ? 'Counting…' : 'Preview delivery'}
        </button>
      </form>
      {error && (
        <p role="alert" class="lead__error">
          {error}
        </p>
      )}

      {preview && (
        <div class="deliver__preview" aria-live="polite">
          <h3>This delivery</h3>
          <p data-testid="delivery-count">
            {count(preview.signatures)} signatures on {count(preview.pages)} pages
            {preview.packages.length > 1 ? `, in ${preview.packages.length} packages` : ''}.
          </p>
          {preview.perState.length > 0 && (
            <table class="deliver__states">
              <caption>Delivered per state</caption>
              <thead>
                <tr>
                  <th scope="col">State</th>
                  <th scope="col" class="num">
                    Signatures
                  </th>
                </tr>
              </thead>
              <tbody>
                {preview.perState.map((s) => (
                  <tr key={s.state}>
                    <td>{s.state}</td>
                    <td class="num">{count(s.signatures)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h3>Left out, and why</h3>
          {REASONS.map(({ key, title }) => (
            <div key={key} data-testid={`excluded-${key}`}>
              <h4>
                {title}: {preview.excluded[key].length}
              </h4>
              {preview.excluded[key].length > 0 && (
                <ul>
                  {preview.excluded[key].map((s, i) => (
                    <li key={s.id ?? i}>
                      {signerLine(s)} — {s.detail}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          ))}
          <div data-testid="excluded-repeat">
            <h4>
              Signed more than once: {pairs.length} pair{pairs.length === 1 ? '' : 's'}
            </h4>
            {pairs.length > 0 && <p>By default the first signature counts and the later one is left out. Choose per pair:</p>}
            <ul class="deliver__pairs">
              {pairs.map((pair) => (
                <li key={pair.id}>
                  <label>
                    {signerLine(pair)} — {pair.detail}
                    <select
                      value={choices[pair.id] ?? 'first'}
                      onChange={(e) => setChoices((c) => ({ ...c, [pair.id]: e.currentTarget.value as RepeatChoice }))}
                    >
                      <option value="first">Count the first signature only</option>
                      <option value="later">Count this one instead</option>
                      <option value="both">Count both</option>
                    </select>
                  </label>
                </li>
              ))}
            </ul>
          </div>
          {preview.unrenderable.length > 0 && (
            <div data-testid="unrenderable">
              <h4>Names no font can print: {preview.unrenderable.length}</h4>
              <p>They are delivered with a note instead of the name, and listed in the campaign's report.</p>
              <ul>
                {preview.unrenderable.map((u) => (
                  <li key={u.id}>
                    Record {u.id}: {u.missing.join(' ')}
                  </li>
                ))}
              </ul>
            </div>
          )}
          {!secret.value && <p>Type the drive's passphrase above to build.</p>}
          <button type="button" class="primary" disabled={building !== undefined || preview.signatures === 0 || !secret.value} onClick={() => void build()}>
            Build delivery
          </button>
        </div>
      )}

      {building && progress && (
        <div class="deliver__progress">
          <label for="delivery-progress">
            Building the delivery: page {count(progress.pagesDone)} of {count(progress.pagesTotal)}
          </label>
          <progress id="delivery-progress" max={Math.max(1, progress.pagesTotal)} value={progress.pagesDone} />
          <p data-testid="delivery-signatures-done">
            {count(progress.signaturesDone)} of {count(progress.signaturesTotal)} signatures
          </p>
        </div>
      )}
      {finished?.state === 'failed' && (
        <p role="alert" class="lead__error">
          The build failed: {finished.error}
        </p>
      )}
      {finished?.state === 'done' && (
        <div role="status" class="lead__ok">
          <p>Delivery built: {count(finished.signatures ?? 0)} signatures.</p>
          <DeliveryFiles driveId={driveId} delivery={finished} />
        </div>
      )}

      <h3>Past deliveries</h3>
      {past.length === 0 ? (
        <p>None yet.</p>
      ) : (
        <div class="scroll">
          <table class="deliveries">
            <thead>
              <tr>
                <th scope="col">Built</th>
                <th scope="col">By</th>
                <th scope="col">What</th>
                <th scope="col" class="num">
                  Signatures
                </th>
                <th scope="col">Files and SHA-256</th>
              </tr>
            </thead>
            <tbody>
              {past.map((d) => (
                <tr key={d.id} data-delivery={d.id}>
                  <td>{when(d.createdAt)}</td>
                  <td>{d.builtBy.name}</td>
                  <td>{optionsLine(d.options)}</td>
                  <td class="num">{d.signatures === null ? '' : count(d.signatures)}</td>
                  <td>
                    {d.state === 'done' ? <DeliveryFiles driveId={driveId} delivery={d} /> : d.state === 'building' ? 'Building…' : `Failed: ${d.error ?? ''}`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/**
 * A finished delivery's files. They rest sealed to the drive's key on the server, so a download takes
 * the passphrase (or recovery key) once more: kept here only until the download starts.
 */
function DeliveryFiles({ driveId, delivery }: { driveId: string; delivery: DeliverySummary }) {
  const [secret, setSecret] = useState<UnlockSecret>(NO_SECRET);
  const [error, setError] = useState<string>();
  const [saving, setSaving] = useState<string>();

  async function save(url: string, file: string) {
    setError(undefined);
    setSaving(file);
    try {
      await downloadFile(url, unlockBody(secret), file);
      setSecret(NO_SECRET);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setSaving(undefined);
    }
  }

  return (
    <div class="deliver__download">
      <DriveUnlockField secret={secret} onChange={setSecret} label="Drive passphrase to download" />
      {error && (
        <p role="alert" class="lead__error">
          {error}
        </p>
      )}
      <ul class="deliver__files">
        {delivery.packages.map((p) => (
          <li key={p.file}>
            <button
              type="button"
              class="link"
              disabled={!secret.value || saving !== undefined}
              onClick={() => void save(LEAD_API.deliveryPackage(driveId, delivery.id, p.file), p.file)}
            >
              {p.file}
            </button>{' '}
            ({count(p.bytes)} bytes
            {p.state ? `, ${p.state}` : ''})
            <span class="sha">
              SHA-256 <code data-testid="package-sha256">{p.sha256}</code>
            </span>
          </li>
        ))}
        {delivery.reportFile && (
          <li>
            <button
              type="button"
              class="link"
              disabled={!secret.value || saving !== undefined}
              onClick={() => void save(LEAD_API.deliveryReport(driveId, delivery.id), delivery.reportFile!)}
            >
              Exclusions report (for the campaign only)
            </button>
          </li>
        )}
      </ul>
    </div>
  );
}
