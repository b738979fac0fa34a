// The comparative report of a media scenario: the latest Cardea and Janus results in a results
// folder, turned into figures like the paper's (SVG, plus PNG when `rsvg-convert` is installed)
// and a Markdown report with the ratios. Optionally copied to docs/bench/.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CampaignData, CampaignLevel } from '../campaign/CampaignTypes.ts';
import { repoRoot } from './machineInfo.ts';
import { gatewayColors, lineChart, type PlotSeries } from './svgPlot.ts';
import type { BenchReport } from './writeReport.ts';

/** Where `--docs` copies the report and figures. */
export const docsBenchDir = path.join(repoRoot, 'docs', 'bench');
const rsvgConvert = '/usr/bin/rsvg-convert';

/** A loaded result file of one gateway. */
interface Loaded {
  file: string;
  report: BenchReport;
  data: CampaignData;
}

/** The numbers the report's ratio table holds, also handy for tests. */
export interface CampaignRatios {
  /** Participants both gateways held in the comparison (the steady phase's, when both reached it). */
  matchedParticipants: number | null;
  cpuRatio: number | null;
  memoryRatio: number | null;
  /** Ratio of RSS growth above idle (what the participants cost). */
  memoryGrowthRatio: number | null;
  maxHeld: { cardea: number | null; janus: number | null };
  /**
   * The CPU comparison where it means something: levels at which both gateways used less than
   * SATURATED of a core (a saturated gateway's CPU is capped, so a ratio there says nothing).
   * `top` is the highest such level; `median` the median ratio over all of them.
   */
  unsaturated: { levels: number; top: number; topRatio: number; median: number } | null;
  /**
   * The steady phase's CPU ratio when both gateways reached it with the same participants and
   * neither was saturated there: the cleanest figure (30 s without join transients).
   */
  steadyUnsaturated: number | null;
  /**
   * Cardea ≤ Janus, judged on `steadyUnsaturated` when there is one, else on the unsaturated
   * levels' median, else at matched load.
   */
  cardeaCpuAtMostJanus: boolean | null;
}

/** A gateway at or above this fraction of its core is saturated for the CPU comparison. */
export const SATURATED = 0.9;

/** CPU ratios Cardea / Janus at the levels (1 participant or more) where neither was saturated. */
function unsaturatedRatios(cardea: CampaignData, janus: CampaignData): CampaignRatios['unsaturated'] {
  const points: Array<{ n: number; ratio: number }> = [];
  for (const c of cardea.levels) {
    const j = janus.levels.find((l) => l.participants === c.participants);
    if (c.participants < 1 || !j || c.gatewayCpu === null || j.gatewayCpu === null || j.gatewayCpu <= 0) continue;
    if (c.gatewayCpu >= SATURATED || j.gatewayCpu >= SATURATED) continue;
    points.push({ n: c.participants, ratio: c.gatewayCpu / j.gatewayCpu });
  }
  const top = points.at(-1);
  if (!top) return null;
  const sorted = points.map((p) => p.ratio).sort((a, b) => a - b);
  const round = (v: number): number => Math.round(v * 1000) / 1000;
  return { levels: points.length, top: top.n, topRatio: round(top.ratio), median: round(sorted[Math.floor(sorted.length / 2)] as number) };
}

/** The most recent result file of `scenario` for each gateway in `outDir`. */
async function latest(scenario: string, outDir: string): Promise<Partial<Record<'cardea' | 'janus', Loaded>>> {
  const names = (await readdir(outDir).catch(() => [] as string[])).sort();
  const found: Partial<Record<'cardea' | 'janus', Loaded>> = {};
  for (const gateway of ['cardea', 'janus'] as const) {
    const file = names.filter((n) => n.startsWith(`${scenario}-${gateway}-`) && n.endsWith('.json')).at(-1);
    if (!file) continue;
    const report = JSON.parse(await readFile(path.join(outDir, file), 'utf8')) as BenchReport;
    found[gateway] = { file, report, data: report.result as unknown as CampaignData };
  }
  return found;
}

/** The level at exactly `n` participants, or the steady phase when that is where `n` was held. */
function levelAt(d: CampaignData, n: number): CampaignLevel | undefined {
  if (d.steady && d.joined === n) return d.steady;
  return d.levels.find((l) => l.participants === n);
}

/** CPU, memory and capacity ratios Cardea / Janus at matched load. */
export function campaignRatios(cardea: CampaignData | undefined, janus: CampaignData | undefined): CampaignRatios {
  const ratio = (a: number | null | undefined, b: number | null | undefined): number | null =>
    a === null || a === undefined || b === null || b === undefined || b === 0 ? null : Math.round((a / b) * 1000) / 1000;
  const maxHeld = { cardea: cardea?.maxHeld ?? null, janus: janus?.maxHeld ?? null };
  if (!cardea || !janus)
    return {
      matchedParticipants: null,
      cpuRatio: null,
      memoryRatio: null,
      memoryGrowthRatio: null,
      maxHeld,
      unsaturated: null,
      steadyUnsaturated: null,
      cardeaCpuAtMostJanus: null,
    };
  const n = Math.min(cardea.joined, janus.joined);
  const c = levelAt(cardea, n);
  const j = levelAt(janus, n);
  const cpuRatio = ratio(c?.gatewayCpu, j?.gatewayCpu);
  const unsaturated = unsaturatedRatios(cardea, janus);
  const cs = cardea.steady;
  const js = janus.steady;
  const steadyUnsaturated =
    cs &&
    js &&
    cardea.joined === janus.joined &&
    cs.gatewayCpu !== null &&
    js.gatewayCpu !== null &&
    cs.gatewayCpu < SATURATED &&
    js.gatewayCpu < SATURATED
      ? ratio(cs.gatewayCpu, js.gatewayCpu)
      : null;
  const growth = (d: CampaignData, l: CampaignLevel | undefined): number | null =>
    l?.gatewayRssBytes != null && d.gatewayIdleRssBytes !== null ? l.gatewayRssBytes - d.gatewayIdleRssBytes : null;
  return {
    matchedParticipants: c && j ? n : null,
    cpuRatio,
    memoryRatio: ratio(c?.gatewayRssBytes, j?.gatewayRssBytes),
    memoryGrowthRatio: ratio(growth(cardea, c), growth(janus, j)),
    maxHeld,
    unsaturated,
    steadyUnsaturated,
    cardeaCpuAtMostJanus:
      (steadyUnsaturated ?? unsaturated?.median ?? cpuRatio) === null
        ? null
        : (steadyUnsaturated ?? unsaturated?.median ?? cpuRatio ?? 0) <= 1,
  };
}

function figures(scenario: string, runs: Partial<Record<'cardea' | 'janus', Loaded>>): Record<string, string> {
  const unit = (runs.cardea ?? runs.janus)?.data.unit ?? 'participant';
  const series = (pick: (l: CampaignLevel) => number | null, suffix = '', dash?: string): PlotSeries[] =>
    (['cardea', 'janus'] as const).flatMap((g) => {
      const d = runs[g]?.data;
      if (!d) return [];
      const steady = d.steady;
      const levels = steady ? [...d.levels.filter((l) => l.participants !== steady.participants), steady] : d.levels;
      const points = levels.flatMap((l): [number, number][] => {
        const v = pick(l);
        return v === null ? [] : [[l.participants, v]];
      });
      const name = `${g === 'cardea' ? 'Cardea' : 'Janus'} ${d.gatewayVersion}${suffix}`;
      return [
        dash === undefined
          ? { name, color: gatewayColors[g] as string, points }
          : { name, color: gatewayColors[g] as string, dash, points },
      ];
    });
  const x = `${unit}s`;
  return {
    cpu: lineChart({
      title: `${scenario}: gateway CPU`,
      xLabel: x,
      yLabel: 'CPU, % of one core (user + system)',
      series: series((l) => (l.gatewayCpu === null ? null : l.gatewayCpu * 100)),
    }),
    memory: lineChart({
      title: `${scenario}: gateway memory`,
      xLabel: x,
      yLabel: 'RSS, MiB',
      series: series((l) => (l.gatewayRssBytes === null ? null : l.gatewayRssBytes / 2 ** 20)),
    }),
    bandwidth: lineChart({
      title: `${scenario}: gateway bandwidth`,
      xLabel: x,
      yLabel: 'Mbit/s',
      series: [...series((l) => l.gatewayInBps / 1e6, ' in (up)'), ...series((l) => l.gatewayOutBps / 1e6, ' out (down)', '6 4')],
    }),
  };
}

function markdown(scenario: string, runs: Partial<Record<'cardea' | 'janus', Loaded>>, r: CampaignRatios, pngs: boolean): string {
  const pct = (v: number | null | undefined): string => (v === null || v === undefined ? 'n/a' : `${(v * 100).toFixed(1)}%`);
  const mib = (v: number | null | undefined): string => (v === null || v === undefined ? 'n/a' : `${(v / 2 ** 20).toFixed(0)} MiB`);
  const x = (v: number | null): string => (v === null ? 'n/a' : `${v.toFixed(2)}×`);
  const held = (d: CampaignData | undefined): string =>
    d === undefined ? 'not run' : d.maxHeld >= d.max && d.joined === d.max ? `≥ ${d.maxHeld} (never broke)` : String(d.maxHeld);
  const goal =
    r.cardeaCpuAtMostJanus === null ? '' : r.cardeaCpuAtMostJanus ? '(goal met: Cardea ≤ Janus)' : '(goal missed: Cardea > Janus)';
  const lines: string[] = [`# ${scenario}: Cardea vs Janus`, ''];
  const any = (runs.cardea ?? runs.janus) as Loaded;
  lines.push(
    `Host: ${any.report.machine.cpuModel}, ${any.report.machine.cores} cores; Node ${any.report.machine.node}; ` +
      `commit ${any.report.machine.gitCommit?.slice(0, 10) ?? 'n/a'}${any.report.machine.gitDirty ? ' (dirty)' : ''}.`,
    `Plan: ${JSON.stringify(any.data.plan)}; up to ${any.data.max} ${any.data.unit}s, one every ${any.data.intervalMs / 1000} s, then ${any.data.steadyMs / 1000} s steady` +
      `${any.report.options.quick ? ' (**--quick**: a smoke run, not a measurement)' : ''}.`,
    '',
    '| | Cardea / Janus |',
    '|---|---|',
    ...(r.steadyUnsaturated === null
      ? []
      : [
          `| CPU in the steady phase (${r.matchedParticipants ?? 'n/a'} ${any.data.unit}s, neither saturated) | **${x(r.steadyUnsaturated)}** ${goal} |`,
        ]),
    `| CPU where neither gateway is saturated (< ${SATURATED * 100}% of its core), per ramp level | ${
      r.unsaturated
        ? `${r.steadyUnsaturated === null ? `**${x(r.unsaturated.median)}**` : x(r.unsaturated.median)} median over ${r.unsaturated.levels} levels; ${x(r.unsaturated.topRatio)} at ${r.unsaturated.top} ${any.data.unit}s, the highest such level`
        : 'n/a (no such level)'
    } ${r.steadyUnsaturated === null ? goal : ''} |`,
    `| CPU at matched load (${r.matchedParticipants ?? 'n/a'} ${any.data.unit}s, the most both joined) | ${x(r.cpuRatio)} |`,
    `| memory (RSS) at matched load | ${x(r.memoryRatio)} (growth above idle: ${x(r.memoryGrowthRatio)}) |`,
    `| max ${any.data.unit}s held with loss and late ≤ 1% | Cardea ${held(runs.cardea?.data)}, Janus ${held(runs.janus?.data)} |`,
    '',
    '| gateway | version | joined | failed | steady CPU | steady RSS | idle RSS | loss | late | in / out Mbit/s | generator µs/packet | other processes’ CPU (steady) | load avg start → end | result file |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const g of ['cardea', 'janus'] as const) {
    const run = runs[g];
    if (!run) {
      lines.push(`| ${g} | | not run | | | | | | | | | | | |`);
      continue;
    }
    const d = run.data;
    const s = d.steady;
    lines.push(
      `| ${g} | ${d.gatewayVersion} | ${d.joined}/${d.max} | ${d.failedJoins} | ${pct(s?.gatewayCpu)} | ${mib(s?.gatewayRssBytes)} | ${mib(d.gatewayIdleRssBytes)} | ${pct(s?.loss)} | ${pct(s?.late)} | ` +
        `${s ? `${(s.gatewayInBps / 1e6).toFixed(1)} / ${(s.gatewayOutBps / 1e6).toFixed(1)}` : 'n/a'} | ${d.generator.cpuUsPerPacket ?? 'n/a'} | ` +
        `${s?.hostOtherCpu != null ? `${(s.hostOtherCpu * 100).toFixed(0)}% of a core` : 'n/a'} | ${d.loadAverage.start} → ${d.loadAverage.end} | ${run.file} |`,
    );
    if (d.stopReason) lines.push(`|  | ramp stopped: ${d.stopReason.replace(/\|/g, '/').slice(0, 200)} ||||||||||||| `);
  }
  lines.push('');
  for (const fig of ['cpu', 'memory', 'bandwidth']) lines.push(`![${fig}](${scenario}-${fig}.${pngs ? 'png' : 'svg'})`);
  lines.push(
    '',
    `## Per level`,
    '',
    `| ${any.data.unit}s | Cardea CPU | Janus CPU | ratio | Cardea RSS | Janus RSS | Cardea loss | Janus loss | Cardea late | Janus late |`,
    '|---|---|---|---|---|---|---|---|---|---|',
  );
  const counts = [...new Set([...(runs.cardea?.data.levels ?? []), ...(runs.janus?.data.levels ?? [])].map((l) => l.participants))].sort(
    (a, b) => a - b,
  );
  for (const n of counts) {
    const c = runs.cardea?.data.levels.find((l) => l.participants === n);
    const j = runs.janus?.data.levels.find((l) => l.participants === n);
    const ratio = c?.gatewayCpu && j?.gatewayCpu ? (c.gatewayCpu / j.gatewayCpu).toFixed(2) : 'n/a';
    lines.push(
      `| ${n} | ${pct(c?.gatewayCpu)} | ${pct(j?.gatewayCpu)} | ${ratio} | ${mib(c?.gatewayRssBytes)} | ${mib(j?.gatewayRssBytes)} | ${pct(c?.loss)} | ${pct(j?.loss)} | ${pct(c?.late)} | ${pct(j?.late)} |`,
    );
  }
  lines.push(
    '',
    'CPU: user + system time of the gateway process (all threads) from /proc/<pid>/stat, per second, as a fraction of one core; ' +
      'the gateway is pinned to core 0 and the load generator to core 1. Loss: 1 − received / expected from RTP sequence numbers at the generator; ' +
      'late: packets arriving > 150 ms behind their stream’s RTP clock. Bandwidth is the generator’s UDP payload bytes (SRTP included).',
    '',
  );
  return lines.join('\n');
}

/**
 * Writes `<outDir>/report-<scenario>.md` and `<scenario>-{cpu,memory,bandwidth}.svg` (+ .png when
 * rsvg-convert exists) from the latest results; with `docs`, copies them and the two result files
 * to docs/bench/. Returns
 * the files written (none when there is no result yet).
 */
export async function writeCampaignReport(scenario: string, outDir: string, options: { docs?: boolean } = {}): Promise<string[]> {
  const runs = await latest(scenario, outDir);
  if (!runs.cardea && !runs.janus) return [];
  const written: string[] = [];
  const pngs = existsSync(rsvgConvert);
  for (const [name, svg] of Object.entries(figures(scenario, runs))) {
    const file = path.join(outDir, `${scenario}-${name}.svg`);
    await writeFile(file, svg);
    written.push(file);
    if (pngs) {
      const png = file.replace(/\.svg$/, '.png');
      execFileSync(rsvgConvert, ['-o', png, file]);
      written.push(png);
    }
  }
  const report = path.join(outDir, `report-${scenario}.md`);
  await writeFile(report, markdown(scenario, runs, campaignRatios(runs.cardea?.data, runs.janus?.data), pngs));
  written.unshift(report);
  if (options.docs) {
    await mkdir(docsBenchDir, { recursive: true });
    // The result files go along, so the committed report can be checked against its numbers.
    const results = Object.values(runs).map((r) => path.join(outDir, r.file));
    for (const file of [...written, ...results]) {
      const target = path.join(docsBenchDir, path.basename(file));
      await copyFile(file, target);
      written.push(target);
    }
  }
  return written;
}
