import type { ReactNode } from 'react';

/**
 * A search snippet with its matched words in `<mark>`: `ranges` are [start, end) offsets into
 * `text` (from `notes.search`), possibly unordered or overlapping; out-of-range parts are clipped.
 */
export function highlightSegments(text: string, ranges: readonly (readonly [number, number])[]): ReactNode[] {
  const sorted = ranges
    .map(
      ([start, end]) => [Math.max(0, Math.min(start, text.length)), Math.max(0, Math.min(end, text.length))] as const,
    )
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of sorted) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  const out: ReactNode[] = [];
  let at = 0;
  merged.forEach(([start, end], index) => {
    if (start > at) out.push(text.slice(at, start));
    out.push(<mark key={index}>{text.slice(start, end)}</mark>);
    at = end;
  });
  if (at < text.length) out.push(text.slice(at));
  return out;
}
