// A small dependency-free SVG line chart for the bench's figures (the paper's Fig. 5 and Fig. 6:
// CPU and bandwidth against room size).

/** One line of a chart. */
export interface Series {
  name: string;
  color: string;
  points: Array<[number, number]>;
}

/** One panel: axes, labels and lines. */
export interface Panel {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** A dashed horizontal line (e.g. 100 % of one core). */
  limit?: { y: number; label: string };
}

const W = 520;
const H = 340;
const M = { left: 64, right: 20, top: 36, bottom: 52 };

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}

function panel(p: Panel, dx: number): string {
  const xs = p.series.flatMap((s) => s.points.map(([x]) => x));
  const ys = p.series.flatMap((s) => s.points.map(([, y]) => y));
  const xMax = niceMax(Math.max(1, ...xs));
  const yMax = niceMax(Math.max(p.limit?.y ?? 0, ...ys) * 1.05);
  const px = (x: number) => dx + M.left + (x / xMax) * (W - M.left - M.right);
  const py = (y: number) => M.top + (1 - y / yMax) * (H - M.top - M.bottom);
  const out: string[] = [];
  out.push(`<text x="${dx + W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(p.title)}</text>`);
  for (let i = 0; i <= 5; i++) {
    const y = (yMax * i) / 5;
    const x = (xMax * i) / 5;
    out.push(`<line x1="${px(0)}" x2="${px(xMax)}" y1="${py(y)}" y2="${py(y)}" stroke="#ddd"/>`);
    out.push(`<text x="${px(0) - 6}" y="${py(y) + 4}" text-anchor="end" font-size="11">${+y.toFixed(1)}</text>`);
    out.push(`<text x="${px(x)}" y="${py(0) + 16}" text-anchor="middle" font-size="11">${+x.toFixed(0)}</text>`);
  }
  out.push(`<line x1="${px(0)}" x2="${px(xMax)}" y1="${py(0)}" y2="${py(0)}" stroke="#000"/>`);
  out.push(`<line x1="${px(0)}" x2="${px(0)}" y1="${py(0)}" y2="${py(yMax)}" stroke="#000"/>`);
  out.push(`<text x="${dx + W / 2}" y="${H - 10}" text-anchor="middle" font-size="12">${esc(p.xLabel)}</text>`);
  out.push(
    `<text x="${dx + 14}" y="${H / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 ${dx + 14} ${H / 2})">${esc(p.yLabel)}</text>`,
  );
  if (p.limit) {
    out.push(`<line x1="${px(0)}" x2="${px(xMax)}" y1="${py(p.limit.y)}" y2="${py(p.limit.y)}" stroke="#c00" stroke-dasharray="5,4"/>`);
    out.push(
      `<text x="${px(xMax) - 4}" y="${py(p.limit.y) - 4}" text-anchor="end" font-size="11" fill="#c00">${esc(p.limit.label)}</text>`,
    );
  }
  p.series.forEach((s, i) => {
    if (s.points.length === 0) return;
    out.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${s.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>`,
    );
    for (const [x, y] of s.points) out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${s.color}"/>`);
    out.push(`<rect x="${px(0) + 10}" y="${M.top + 6 + i * 16}" width="12" height="3" fill="${s.color}"/>`);
    out.push(`<text x="${px(0) + 26}" y="${M.top + 11 + i * 16}" font-size="11">${esc(s.name)}</text>`);
  });
  return out.join('\n');
}

/** Panels side by side in one SVG document. */
export function svgChart(panels: Panel[]): string {
  const width = W * panels.length;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${H}" viewBox="0 0 ${width} ${H}" font-family="sans-serif">`,
    `<rect width="${width}" height="${H}" fill="#fff"/>`,
    ...panels.map((p, i) => panel(p, i * W)),
    '</svg>',
  ].join('\n');
}
