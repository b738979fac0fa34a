// Line charts written as SVG text: no plotting dependency. The figures mirror the paper's: one
// quantity against participants, Cardea and Janus on the same axes.

/** One line of a chart. */
export interface PlotSeries {
  name: string;
  color: string;
  /** SVG stroke-dasharray, e.g. "6 3" (default solid). */
  dash?: string;
  points: [number, number][];
}

/** What lineChart() draws. */
export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: PlotSeries[];
  /** Pixels (default 720 × 420). */
  width?: number;
  height?: number;
}

/** Gateway colours used by every figure. */
export const gatewayColors: Record<string, string> = { cardea: '#1f77b4', janus: '#d62728' };

/** 0, and a "nice" step (1, 2 or 5 × 10^k) giving about `count` ticks up to at least `max`. */
function ticks(max: number, count = 5, integer = false): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = integer ? Math.max(1, max / count) : max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const out: number[] = [];
  for (let v = 0; v < max + step / 2; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const label = (v: number): string => (Math.abs(v) >= 1000 ? `${+(v / 1000).toPrecision(3)}k` : `${+v.toPrecision(3)}`);

/** The chart as a standalone SVG document. */
export function lineChart(chart: LineChart): string {
  const width = chart.width ?? 720;
  const height = chart.height ?? 420;
  const m = { left: 70, right: 20, top: 40, bottom: 80 };
  const all = chart.series.flatMap((s) => s.points);
  const xt = ticks(Math.max(1, ...all.map(([x]) => x)), 5, true);
  const yt = ticks(Math.max(0, ...all.map(([, y]) => y)) * 1.05);
  const xMax = xt.at(-1) as number;
  const yMax = yt.at(-1) as number;
  const px = (x: number): number => m.left + (x / xMax) * (width - m.left - m.right);
  const py = (y: number): number => height - m.bottom - (y / yMax) * (height - m.top - m.bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escape(chart.title)}</text>`,
  ];
  for (const y of yt) {
    parts.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${py(y)}" y2="${py(y)}" stroke="#ddd"/>`);
    parts.push(`<text x="${m.left - 6}" y="${py(y) + 4}" text-anchor="end">${label(y)}</text>`);
  }
  for (const x of xt) {
    parts.push(`<line x1="${px(x)}" x2="${px(x)}" y1="${height - m.bottom}" y2="${height - m.bottom + 5}" stroke="#333"/>`);
    parts.push(`<text x="${px(x)}" y="${height - m.bottom + 18}" text-anchor="middle">${label(x)}</text>`);
  }
  parts.push(
    `<line x1="${m.left}" x2="${width - m.right}" y1="${height - m.bottom}" y2="${height - m.bottom}" stroke="#333"/>`,
    `<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${height - m.bottom}" stroke="#333"/>`,
    `<text x="${(m.left + width - m.right) / 2}" y="${height - m.bottom + 38}" text-anchor="middle">${escape(chart.xLabel)}</text>`,
    `<text transform="translate(18 ${(m.top + height - m.bottom) / 2}) rotate(-90)" text-anchor="middle">${escape(chart.yLabel)}</text>`,
  );
  chart.series.forEach((s, i) => {
    if (s.points.length > 0) {
      const d = s.points.map(([x, y], j) => `${j === 0 ? 'M' : 'L'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
      parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
      for (const [x, y] of s.points) parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="2.5" fill="${s.color}"/>`);
    }
    // Legend under the x axis label, left to right.
    const lx = m.left + (i * (width - m.left - m.right)) / Math.max(1, chart.series.length);
    const ly = height - 18;
    parts.push(
      `<line x1="${lx}" x2="${lx + 24}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`,
    );
    parts.push(`<text x="${lx + 30}" y="${ly}">${escape(s.name)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
