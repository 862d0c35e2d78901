// Signatures per day as bars: SVG drawn here, no chart library (the dashboard is small too).
import { count } from '../format';

const HEIGHT = 160;
const BAR = 28;
const GAP = 6;

export function PerDayChart({ days }: { days: { day: string; count: number }[] }) {
  if (days.length === 0) return <p>No signatures yet.</p>;
  const top = Math.max(...days.map((d) => d.count));
  const width = days.length * (BAR + GAP);
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${width} ${HEIGHT + 20}`} width={Math.min(width, 900)} role="img" aria-label="Signatures per day">
        {days.map((d, i) => {
          const h = Math.max(1, Math.round((d.count / top) * HEIGHT));
          return (
            <g key={d.day}>
              <rect x={i * (BAR + GAP)} y={HEIGHT - h} width={BAR} height={h} class="chart__bar">
                <title>{`${d.day}: ${count(d.count)}`}</title>
              </rect>
              <text x={i * (BAR + GAP) + BAR / 2} y={HEIGHT + 14} text-anchor="middle" class="chart__label">
                {d.day.slice(8)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>
        {days[0]!.day} to {days[days.length - 1]!.day}; best day {count(top)}
      </figcaption>
    </figure>
  );
}
