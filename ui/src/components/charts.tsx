/** Small SVG charts (no chart library: they stay light and print the numbers they draw). */

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
const SEVERITY_COLOURS: Record<string, string> = {
  info: '#8bc1f7',
  low: '#4cb140',
  medium: '#f0ab00',
  high: '#ec7a08',
  critical: '#c9190b',
};

export interface DayBar {
  date: string;
  severities: Record<string, number>;
}

/** Changes per day, stacked by severity, with a legend and a table-like title per bar. */
export function StackedDayChart({ days, label }: { days: DayBar[]; label: string }) {
  const width = 640;
  const height = 220;
  const pad = { left: 36, right: 8, top: 10, bottom: 40 };
  const totals = days.map((day) => Object.values(day.severities).reduce((a, b) => a + b, 0));
  const max = Math.max(1, ...totals);
  const slot = (width - pad.left - pad.right) / Math.max(1, days.length);
  const bar = Math.max(2, Math.min(40, slot * 0.7));
  const y = (value: number) => pad.top + (height - pad.top - pad.bottom) * (1 - value / max);
  const present = SEVERITIES.filter((s) => days.some((d) => (d.severities[s] ?? 0) > 0));
  return (
    <figure style={{ margin: 0 }}>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={label}
        style={{ width: '100%', height: 'auto', maxHeight: 260 }}
        data-chart="changes-per-day"
      >
        <line x1={pad.left} x2={width - pad.right} y1={y(0)} y2={y(0)} stroke="#8a8d90" />
        <text x={pad.left - 4} y={y(max) + 4} textAnchor="end" fontSize="11" fill="#151515">
          {max}
        </text>
        <text x={pad.left - 4} y={y(0)} textAnchor="end" fontSize="11" fill="#151515">
          0
        </text>
        {days.map((day, index) => {
          let base = 0;
          const x = pad.left + slot * index + (slot - bar) / 2;
          return (
            <g key={day.date}>
              <title>{`${day.date}: ${totals[index]} (${Object.entries(day.severities)
                .map(([s, n]) => `${s} ${n}`)
                .join(', ')})`}</title>
              {SEVERITIES.map((severity) => {
                const value = day.severities[severity] ?? 0;
                if (!value) return null;
                const top = y(base + value);
                const rect = (
                  <rect
                    key={severity}
                    x={x}
                    y={top}
                    width={bar}
                    height={y(base) - top}
                    fill={SEVERITY_COLOURS[severity]}
                  />
                );
                base += value;
                return rect;
              })}
              {(days.length <= 14 || index % Math.ceil(days.length / 14) === 0) && (
                <text
                  x={x + bar / 2}
                  y={height - pad.bottom + 14}
                  textAnchor="middle"
                  fontSize="10"
                  fill="#151515"
                >
                  {day.date.slice(5)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption style={{ display: 'flex', gap: 12, flexWrap: 'wrap', fontSize: 13 }}>
        {present.map((severity) => (
          <span key={severity}>
            <svg width="10" height="10" aria-hidden="true">
              <rect width="10" height="10" fill={SEVERITY_COLOURS[severity]} />
            </svg>{' '}
            {severity}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

export interface Point {
  at: string;
  value: number | null;
}

/** A line over time (CPU, memory, disk from /history/). */
export function LineChart({ points, label, unit }: { points: Point[]; label: string; unit?: string }) {
  const width = 560;
  const height = 160;
  const pad = { left: 48, right: 10, top: 10, bottom: 24 };
  const valid = points.filter(
    (p): p is { at: string; value: number } => p.value !== null && Number.isFinite(p.value),
  );
  const times = valid.map((p) => new Date(p.at).getTime());
  const minT = Math.min(...times);
  const maxT = Math.max(...times);
  const values = valid.map((p) => p.value);
  const minV = Math.min(0, ...values);
  const maxV = Math.max(1, ...values);
  const x = (t: number) =>
    pad.left + (width - pad.left - pad.right) * (maxT === minT ? 0.5 : (t - minT) / (maxT - minT));
  const y = (v: number) => pad.top + (height - pad.top - pad.bottom) * (1 - (v - minV) / (maxV - minV));
  const d = valid
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(times[i]).toFixed(1)},${y(p.value).toFixed(1)}`)
    .join(' ');
  return (
    <svg
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={label}
      style={{ width: '100%', height: 'auto', maxHeight: 200 }}
      data-chart="history"
    >
      <line x1={pad.left} x2={width - pad.right} y1={y(minV)} y2={y(minV)} stroke="#8a8d90" />
      <text x={pad.left - 4} y={y(maxV) + 4} textAnchor="end" fontSize="11" fill="#151515">
        {`${maxV}${unit ?? ''}`}
      </text>
      <text x={pad.left - 4} y={y(minV)} textAnchor="end" fontSize="11" fill="#151515">
        {`${minV}${unit ?? ''}`}
      </text>
      {d && <path d={d} fill="none" stroke="#0066cc" strokeWidth="2" />}
      {valid.map((p, i) => (
        <circle key={i} cx={x(times[i])} cy={y(p.value)} r="3" fill="#0066cc">
          <title>{`${new Date(p.at).toLocaleString()}: ${p.value}${unit ?? ''}`}</title>
        </circle>
      ))}
    </svg>
  );
}

/** A state band: one coloured segment per sighting, in time order. */
export function StateBand({ points, label }: { points: { at: string; state: string }[]; label: string }) {
  const width = 560;
  const height = 36;
  const colours: Record<string, string> = {
    running: '#3e8635',
    active: '#3e8635',
    stopped: '#c9190b',
    suspended: '#f0ab00',
    inactive: '#8a8d90',
  };
  const step = width / Math.max(1, points.length);
  return (
    <svg
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={label}
      style={{ width: '100%', height: 'auto' }}
    >
      {points.map((p, i) => (
        <rect key={i} x={i * step} y={4} width={step} height={20} fill={colours[p.state] ?? '#6a6e73'}>
          <title>{`${new Date(p.at).toLocaleString()}: ${p.state}`}</title>
        </rect>
      ))}
    </svg>
  );
}
