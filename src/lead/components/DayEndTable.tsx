// Day's end: one row per device, so a lead sees at a glance which tablet still holds signatures.
import { useState } from 'preact/hooks';
import { LEAD_API, type DeviceRow } from '../../shared/lead-api';
import { call } from '../api';
import { count, ranges, when } from '../format';

export function DayEndTable({ driveId, devices }: { driveId: string; devices: DeviceRow[] }) {
  const incomplete = devices.filter((d) => !d.revoked && !d.complete).length;
  return (
    <section class="panel" aria-labelledby="day-end-title">
      <h2 id="day-end-title">Day's end: devices</h2>
      {devices.length === 0 ? (
        <p>No device has enrolled yet: create an enrollment code below.</p>
      ) : (
        <>
          <p class={incomplete ? 'lead__warn' : 'lead__ok'}>
            {incomplete
              ? `${incomplete} device${incomplete === 1 ? '' : 's'} still hold${incomplete === 1 ? 's' : ''} signatures: sync before it goes home.`
              : 'Every device has handed in everything it captured.'}
          </p>
          <div class="scroll" tabIndex={0} role="region" aria-label="Table of the devices">
            <table class="day-end">
              <thead>
                <tr>
                  <th scope="col">Device</th>
                  <th scope="col">Volunteers</th>
                  <th scope="col">Last sync</th>
                  <th scope="col" class="num">
                    Today
                  </th>
                  <th scope="col" class="num">
                    Waiting (reported)
                  </th>
                  <th scope="col" class="num">
                    Received
                  </th>
                  <th scope="col">Complete</th>
                  <th scope="col">App</th>
                  <th scope="col">Storage</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {devices.map((d) => (
                  <DeviceLine key={d.id} driveId={driveId} device={d} />
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function DeviceLine({ driveId, device: d }: { driveId: string; device: DeviceRow }) {
  const [name, setName] = useState(d.name);
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string>();

  async function act(run: () => Promise<unknown>) {
    setError(undefined);
    try {
      await run();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <tr data-device={d.name} class={d.revoked ? 'revoked' : undefined}>
      <th scope="row">
        {editing ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void act(async () => {
                await call('PATCH', LEAD_API.device(driveId, d.id), { name });
                setEditing(false);
              });
            }}
          >
            <label class="visually-hidden" for={`name-${d.id}`}>
              Device name
            </label>
            <input id={`name-${d.id}`} value={name} onInput={(e) => setName(e.currentTarget.value)} />
            <button type="submit">Save</button>
          </form>
        ) : (
          d.name
        )}
        {d.revoked && <span class="tag tag--bad">revoked</span>}
        {error && (
          <p role="alert" class="lead__error">
            {error}
          </p>
        )}
      </th>
      <td>{d.volunteers.join(', ') || '—'}</td>
      <td>{when(d.lastSyncAt)}</td>
      <td class="num">{count(d.today)}</td>
      <td class="num">{count(d.waiting)}</td>
      <td class="num">
        {count(d.received)} of {count(d.capturedThrough)}
      </td>
      <td data-testid="complete">
        {d.complete ? (
          <span class="lead__ok" aria-label="complete">
            ✓ complete
          </span>
        ) : (
          <span class="lead__warn">
            missing {count(d.missingCount)}: {ranges(d.missing)}
            {d.missingCount > d.missing.length ? ', …' : ''}
          </span>
        )}
      </td>
      <td>{d.appVersion ?? '—'}</td>
      <td>{d.storagePersisted === null ? 'unknown' : d.storagePersisted ? 'persisted' : 'may be cleared'}</td>
      <td class="actions">
        {!editing && (
          <button type="button" onClick={() => setEditing(true)}>
            Rename
          </button>
        )}
        {!d.revoked && !confirming && (
          <button type="button" onClick={() => setConfirming(true)}>
            Revoke
          </button>
        )}
        {confirming && (
          <>
            <button type="button" class="danger" onClick={() => void act(() => call('POST', LEAD_API.revokeDevice(driveId, d.id)))}>
              Really revoke {d.name}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </>
        )}
      </td>
    </tr>
  );
}
