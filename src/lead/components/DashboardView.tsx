// Progress toward the goal, the figures a lead and an organizer watch, and the day's-end table.
import type { Dashboard } from '../../shared/lead-api';
import { count } from '../format';
import { useDashboard } from '../hooks/useDashboard';
import { DayEndTable } from './DayEndTable';
import { PerDayChart } from './PerDayChart';

export function DashboardView({ driveId }: { driveId: string }) {
  const { dashboard, live, error } = useDashboard(driveId);
  if (error && !dashboard)
    return (
      <p role="alert" class="lead__error">
        {error}
      </p>
    );
  if (!dashboard) return <p>Loading the dashboard…</p>;
  return (
    <>
      <section class="panel" aria-labelledby="progress-title">
        <h2 id="progress-title">{dashboard.drive.title}</h2>
        <p class={live ? 'live live--on' : 'live'}>{live ? 'Live: updates as devices sync' : 'Not live: reconnecting…'}</p>
        <Progress dashboard={dashboard} />
        <ul class="tallies">
          <li>
            Voided: <strong data-testid="voided">{count(dashboard.voided)}</strong>
          </li>
          <li>
            Rejected: <strong data-testid="rejected">{count(dashboard.rejected)}</strong>
          </li>
          <li>
            Conflicts: <strong data-testid="conflicts">{count(dashboard.conflicts)}</strong>
          </li>
        </ul>
      </section>
      <DayEndTable driveId={driveId} devices={dashboard.devices} />
      <section class="panel">
        <h2>Signatures per day</h2>
        <p>
          Days in {dashboard.drive.timeZone}; today is {dashboard.today}.
        </p>
        <PerDayChart days={dashboard.perDay} />
      </section>
      <div class="columns">
        <CountTable title="Per volunteer" head="Volunteer" rows={dashboard.perVolunteer.map((r) => [r.volunteer, r.count])} />
        <CountTable title="Per city" head="City" rows={dashboard.perCity.map((r) => [`${r.city}, ${r.state}`, r.count])} />
        <CountTable title="Per petition version" head="Version" rows={dashboard.perVersion.map((r) => [`${r.language} · ${r.version.slice(0, 8)}`, r.count])} />
      </div>
    </>
  );
}

function Progress({ dashboard }: { dashboard: Dashboard }) {
  const { total, drive } = dashboard;
  const share = Math.min(1, total / drive.goal);
  return (
    <div class="progress">
      <p class="progress__figure">
        <strong data-testid="total">{count(total)}</strong> of {count(drive.goal)} signatures ({Math.floor(share * 100)}%)
        {drive.deadline && <> · deadline {drive.deadline}</>}
      </p>
      <progress max={drive.goal} value={Math.min(total, drive.goal)} aria-label="Progress toward the goal" />
    </div>
  );
}

function CountTable({ title, head, rows }: { title: string; head: string; rows: [string, number][] }) {
  return (
    <section class="panel">
      <h2>{title}</h2>
      {rows.length === 0 ? (
        <p>No signatures yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{head}</th>
              <th scope="col" class="num">
                Signatures
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([name, n]) => (
              <tr key={name}>
                <td>{name}</td>
                <td class="num">{count(n)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
