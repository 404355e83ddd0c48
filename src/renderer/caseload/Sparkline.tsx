/**
 * A small trend line drawn inline (no chart library): the points oldest to newest, on a fixed
 * scale so that two clients' lines compare, the newest point marked. Its accessible name states
 * the values, so the trend is not only visual.
 */
export function Sparkline({
  values,
  max,
  label,
  width = 64,
  height = 22,
}: {
  values: readonly number[];
  max: number;
  label: string;
  width?: number;
  height?: number;
}) {
  if (values.length === 0) return null;
  const pad = 3;
  const step = values.length > 1 ? (width - 2 * pad) / (values.length - 1) : 0;
  const points = values.map((value, index) => {
    const clamped = Math.min(Math.max(value, 0), max);
    return {
      x: values.length > 1 ? pad + index * step : width / 2,
      y: height - pad - (clamped / max) * (height - 2 * pad),
    };
  });
  const last = points[points.length - 1]!;
  return (
    <svg
      role="img"
      aria-label={label}
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      style={{ display: 'block', overflow: 'visible', flex: 'none' }}
    >
      <line
        x1={pad}
        x2={width - pad}
        y1={height - pad}
        y2={height - pad}
        stroke="currentColor"
        strokeOpacity={0.25}
        strokeWidth={1}
      />
      {points.length > 1 && (
        <polyline
          points={points.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ')}
          fill="none"
          stroke="currentColor"
          strokeWidth={1.5}
          strokeLinejoin="round"
          strokeLinecap="round"
        />
      )}
      <circle cx={last.x} cy={last.y} r={2.5} fill="currentColor" />
    </svg>
  );
}
