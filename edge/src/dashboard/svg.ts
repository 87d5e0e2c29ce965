/*
 * Inline SVG charts as strings: no client script, no chart library. Pure functions, shared by the
 * dashboard pages and the benchmarks' plots.
 */

export interface IntervalRow {
  label: string;
  value: number;
  low: number;
  high: number;
}

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );
const pct = (v: number) => `${(100 * v).toFixed(v < 0.1 ? 2 : 1)}%`;

/**
 * Horizontal bars with their 95% interval as whiskers, one row per arm; the axis starts at 0 and
 * ends at the largest upper bound (rounded up), so bars of one chart compare directly.
 */
export function intervalChart(title: string, rows: readonly IntervalRow[], width = 560): string {
  // room for the longest label (about 7 px a character at 12 px), within reason
  const left = Math.min(300, Math.max(90, 12 + 7 * Math.max(...rows.map((r) => r.label.length))));
  const right = 70;
  const rowH = 34;
  const top = 34;
  const height = top + rows.length * rowH + 28;
  const max = niceMax(Math.max(0.001, ...rows.map((r) => r.high)));
  const x = (v: number) => left + (v / max) * (width - left - right);
  const bars = rows.map((r, i) => {
    const y = top + i * rowH;
    const mid = y + rowH / 2 - 2;
    return [
      `<text x="${left - 8}" y="${mid + 4}" text-anchor="end">${esc(r.label)}</text>`,
      `<rect x="${left}" y="${y + 4}" width="${Math.max(0, x(r.value) - left).toFixed(1)}" height="${rowH - 12}" fill="#4c78a8"/>`,
      `<line x1="${x(r.low).toFixed(1)}" x2="${x(r.high).toFixed(1)}" y1="${mid}" y2="${mid}" stroke="#111" stroke-width="2"/>`,
      ...[r.low, r.high].map(
        (v) =>
          `<line x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="${mid - 6}" y2="${mid + 6}" stroke="#111" stroke-width="2"/>`,
      ),
      `<text x="${(x(r.high) + 6).toFixed(1)}" y="${mid + 4}">${pct(r.value)}</text>`,
    ].join("");
  });
  const axisY = top + rows.length * rowH + 4;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map(
    (t) => `<text x="${x(t * max).toFixed(1)}" y="${axisY + 16}" text-anchor="middle">${pct(t * max)}</text>`,
  );
  return svg(width, height, title, [
    `<text x="8" y="20" font-weight="bold">${esc(title)}</text>`,
    `<line x1="${left}" x2="${width - right}" y1="${axisY}" y2="${axisY}" stroke="#999"/>`,
    ...bars,
    ...ticks,
  ]);
}

export interface Series {
  label: string;
  points: ReadonlyArray<readonly [number, number]>;
}

const COLOURS = ["#4c78a8", "#f58518", "#54a24b", "#e45756"];

/** Lines over a shared x axis (e.g. a validation metric per epoch), with min/max labels. */
export function lineChart(title: string, series: readonly Series[], width = 560, height = 220): string {
  const pad = { left: 56, right: 16, top: 34, bottom: 34 };
  const all = series.flatMap((s) => s.points);
  if (all.length === 0)
    return svg(width, 60, title, [`<text x="8" y="20">${esc(title)}: no points yet</text>`]);
  const [x0, x1] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  const [y0, y1] = [Math.min(0, ...all.map((p) => p[1])), niceMax(Math.max(...all.map((p) => p[1])))];
  const sx = (v: number) => pad.left + ((v - x0) / Math.max(1e-9, x1 - x0)) * (width - pad.left - pad.right);
  const sy = (v: number) =>
    height - pad.bottom - ((v - y0) / Math.max(1e-9, y1 - y0)) * (height - pad.top - pad.bottom);
  const lines = series.map((s, i) => {
    const d = s.points
      .map((p, j) => `${j ? "L" : "M"}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`)
      .join("");
    const colour = COLOURS[i % COLOURS.length];
    return `<path d="${d}" fill="none" stroke="${colour}" stroke-width="2"/><text x="${width - pad.right}" y="${pad.top + 14 * i}" text-anchor="end" fill="${colour}">${esc(s.label)}</text>`;
  });
  const base = height - pad.bottom;
  return svg(width, height, title, [
    `<text x="8" y="20" font-weight="bold">${esc(title)}</text>`,
    `<line x1="${pad.left}" x2="${width - pad.right}" y1="${base}" y2="${base}" stroke="#999"/>`,
    `<line x1="${pad.left}" x2="${pad.left}" y1="${pad.top}" y2="${base}" stroke="#999"/>`,
    `<text x="${pad.left - 4}" y="${sy(y1) + 4}" text-anchor="end">${fmt(y1)}</text>`,
    `<text x="${pad.left - 4}" y="${base}" text-anchor="end">${fmt(y0)}</text>`,
    `<text x="${pad.left}" y="${base + 16}">${fmt(x0)}</text>`,
    `<text x="${width - pad.right}" y="${base + 16}" text-anchor="end">${fmt(x1)}</text>`,
    ...lines,
  ]);
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(3));

/** The smallest of 1, 2, 2.5, 5 x 10^k at or above `v`. */
function niceMax(v: number): number {
  const k = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 2.5, 5, 10].find((m) => m * k >= v - 1e-12) ?? 10) * k;
}

function svg(width: number, height: number, title: string, body: string[]): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" style="max-width:${width}px" role="img" ` +
    `aria-label="${esc(title)}" font-family="system-ui, sans-serif" font-size="12">${body.join("")}</svg>`
  );
}
