// Scenario 4 of the paper, MCU vs SFU: an N-party audio-only conference (N = 2 … 20 by default),
// participants joining one at a time, run twice on each gateway:
// - SFU: an audio-only VideoRoom. Each participant publishes its audio (one PeerConnection) and
//   holds one multistream subscriber PeerConnection carrying every other participant's audio; when
//   someone new publishes, every existing subscriber adds the new feed with `subscribe` (the gateway
//   sends an updated offer, the generator answers with `start`), so each client receives N−1 streams;
// - MCU: an AudioBridge room at 16 kHz with full mixing (Cardea `mixing: 'full'`, as Janus): each
//   participant sends one stream and receives one mix.
// Everyone sends the same real Opus speech (opusFixtures.ts). For each N: gateway CPU and bandwidth
// in/out (the campaign sampler), and per participant what the client receives (bit/s, packets/s)
// and what decoding it costs (packets/s × this machine's Opus decode time per 20 ms packet). The
// crossovers are computed on explicit metrics (see `crossoverDefinitions`).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { OpusFrameDecoder } from '../../../core/src/media/audio/OpusCodec.ts';
import type { GatewayKind, Scenario, ScenarioOptions, ScenarioResult } from '../BenchTypes.ts';
import type { CampaignContext, CampaignData, CampaignLevel, CampaignPlan, Joined } from '../campaign/CampaignTypes.ts';
import { summarizeCampaign } from '../campaign/mediaScenario.ts';
import { runCampaign } from '../campaign/RampRunner.ts';
import { whileNoSuchFeed } from '../load/JanusWsClient.ts';
import type { LeanPeer } from '../load/LoadGenerator.ts';
import { speechOpusPayloads } from '../load/opusFixtures.ts';
import { docsBenchDir } from '../report/campaignReport.ts';
import { gatewayColors, lineChart, type PlotSeries } from '../report/svgPlot.ts';
import { formatTable } from '../report/table.ts';
import type { BenchReport } from '../report/writeReport.ts';
import { createAudioRoom, joinAudioRoom } from './audiobridgeRoom.ts';

const scenarioName = 'mcu-vs-sfu';
const videoroom = 'janus.plugin.videoroom';
const rsvgConvert = '/usr/bin/rsvg-convert';

type Architecture = 'sfu' | 'mcu';

/** One conference size of one architecture. */
export interface ConferencePoint {
  n: number;
  /** Gateway CPU, fraction of one core (null without procfs). */
  gatewayCpu: number | null;
  gatewayInBps: number;
  gatewayOutBps: number;
  /** What one participant receives: the gateway's output divided by N. */
  clientInBps: number;
  clientInPps: number;
  /** One participant's Opus decode CPU (fraction of one core): clientInPps × decode µs per packet. */
  clientDecodeCpu: number;
  /** Gateway CPU + N × clientDecodeCpu (fraction of one core): the conference's whole media CPU. */
  totalCpu: number | null;
  loss: number;
  late: number;
}

/** The first N at which the SFU costs at least as much as the MCU on a metric (null: never within the run). */
export interface Crossovers {
  gatewayCpu: number | null;
  clientBandwidth: number | null;
  clientDecodeCpu: number | null;
  totalCpu: number | null;
}

/** The `result` of an mcu-vs-sfu JSON report. */
export interface McuVsSfuData {
  scenario: string;
  gateway: GatewayKind;
  gatewayVersion: string;
  max: number;
  /** Opus decode time of one 20 ms 48 kHz mono packet on this machine (libopus WASM), µs. */
  clientDecodeUsPerPacket: number;
  points: Record<Architecture, ConferencePoint[]>;
  crossover: Crossovers;
  definitions: Record<keyof Crossovers, string>;
  sfu: CampaignData;
  mcu: CampaignData;
}

export const crossoverDefinitions: Record<keyof Crossovers, string> = {
  gatewayCpu: 'smallest N where the SFU gateway’s CPU (user + system, fraction of a core) ≥ the MCU gateway’s',
  clientBandwidth: 'smallest N where one SFU participant receives more bit/s than one MCU participant (gateway out ÷ N)',
  clientDecodeCpu: 'smallest N where one SFU participant’s Opus decoding (packets/s received × µs per decode) ≥ one MCU participant’s',
  totalCpu: 'smallest N where gateway CPU + N × one participant’s decode CPU is ≥ for the SFU than for the MCU',
};

function timing(options: Pick<ScenarioOptions, 'max' | 'quick'>): { max: number; intervalMs: number; steadyMs: number } {
  return {
    max: options.max ?? (options.quick ? 3 : 20),
    // A join in the SFU renegotiates every other participant's subscription: the interval leaves
    // the level several clean seconds after that.
    intervalMs: options.quick ? 1500 : 8000,
    steadyMs: options.quick ? 2000 : 20_000,
  };
}

interface Member {
  id: number;
  session: number;
  subscriber?: { handle: number; peer: LeanPeer };
}

/** A new subscriber handle + PeerConnection for `feeds` (multistream `join`), answered and connected. */
async function subscribeNew(ctx: CampaignContext, room: number, member: Member, feeds: number[], peers: LeanPeer[]): Promise<void> {
  const { client, generator } = ctx;
  const handle = await client.attach(member.session, videoroom);
  const peer = generator.createPeer();
  peers.push(peer);
  const { event } = await whileNoSuchFeed(() =>
    client.message(member.session, handle, { request: 'join', ptype: 'subscriber', room, streams: feeds.map((feed) => ({ feed })) }),
  );
  if (event.jsep?.type !== 'offer') throw new Error('videoroom subscribe: no offer');
  const answer = await peer.answer(event.jsep.sdp);
  await client.message(member.session, handle, { request: 'start' }, { type: 'answer', sdp: answer });
  await client.trickleCompleted(member.session, handle);
  await peer.connected(ctx.connectTimeoutMs);
  member.subscriber = { handle, peer };
}

/** Adds `feed` to an existing subscription (`subscribe`): updated offer, answered with `start`. */
async function addFeed(ctx: CampaignContext, member: Member, feed: number): Promise<void> {
  const sub = member.subscriber as { handle: number; peer: LeanPeer };
  const { event } = await whileNoSuchFeed(() =>
    ctx.client.message(member.session, sub.handle, { request: 'subscribe', streams: [{ feed }] }),
  );
  if (event.jsep?.type !== 'offer') throw new Error(`videoroom subscribe: no updated offer (${JSON.stringify(event.plugindata?.data)})`);
  const answer = await sub.peer.answer(event.jsep.sdp);
  await ctx.client.message(member.session, sub.handle, { request: 'start' }, { type: 'answer', sdp: answer });
}

function sfuPlan(options: ScenarioOptions): CampaignPlan {
  const { max, intervalMs, steadyMs } = timing(options);
  const room = 4_000_000 + Math.floor(Math.random() * 1_000_000);
  const members: Member[] = [];
  return {
    scenario: `${scenarioName}/sfu`,
    unit: 'participant',
    max,
    intervalMs,
    steadyMs,
    async prepare(generator) {
      generator.fixtures.setAudio(await speechOpusPayloads());
    },
    async setup(ctx) {
      const session = await ctx.createSession();
      const handle = await ctx.client.attach(session, videoroom);
      await ctx.client.messageSync(session, handle, {
        request: 'create',
        room,
        description: 'cardea bench sfu',
        publishers: max + 1,
        bitrate: 0,
        fir_freq: 0,
        audiocodec: 'opus',
      });
    },
    async join(ctx, index): Promise<Joined> {
      const { client, generator } = ctx;
      const session = await ctx.createSession();
      const handle = await client.attach(session, videoroom);
      const { event: joined } = await client.message(session, handle, { request: 'join', ptype: 'publisher', room, display: `p${index}` });
      const id = joined.plugindata?.data.id;
      if (typeof id !== 'number') throw new Error('videoroom: joined without an id');
      const peers: LeanPeer[] = [];
      try {
        const publisher = generator.createPeer();
        peers.push(publisher);
        const offer = await publisher.offer([{ kind: 'audio', direction: 'sendonly' }]);
        const { event } = await client.message(
          session,
          handle,
          { request: 'publish', audio: true, video: false },
          { type: 'offer', sdp: offer },
        );
        await client.trickleCompleted(session, handle);
        if (event.jsep?.type !== 'answer') throw new Error('videoroom publish: no answer');
        await publisher.acceptAnswer(event.jsep.sdp);
        await publisher.connected(ctx.connectTimeoutMs);
        const member: Member = { id, session };
        const others = [...members];
        // The newcomer subscribes to everyone already there; everyone already there adds the newcomer.
        await Promise.all([
          others.length > 0
            ? subscribeNew(
                ctx,
                room,
                member,
                others.map((m) => m.id),
                peers,
              )
            : Promise.resolve(),
          ...others.map((m) => (m.subscriber ? addFeed(ctx, m, id) : subscribeNew(ctx, room, m, [id], peers))),
        ]);
        members.push(member);
        return { peers };
      } catch (error) {
        await Promise.all(peers.map((p) => generator.closePeer(p)));
        throw error;
      }
    },
    describe: () => ({
      plugin: videoroom,
      architecture: 'SFU: audio-only VideoRoom, one publisher PC and one multistream subscriber PC (N−1 feeds) per participant',
      room,
    }),
  };
}

function mcuPlan(options: ScenarioOptions): CampaignPlan {
  const { max, intervalMs, steadyMs } = timing(options);
  const room = 5_000_000 + Math.floor(Math.random() * 1_000_000);
  return {
    scenario: `${scenarioName}/mcu`,
    unit: 'participant',
    max,
    intervalMs,
    steadyMs,
    async prepare(generator) {
      generator.fixtures.setAudio(await speechOpusPayloads());
    },
    async setup(ctx) {
      await createAudioRoom(ctx, options.gateway, room, 'full');
    },
    join: (ctx, index) => joinAudioRoom(ctx, room, index),
    describe: () => ({
      plugin: 'janus.plugin.audiobridge',
      architecture: 'MCU: AudioBridge at 16 kHz, full mixing, one sendrecv PC per participant',
      room,
    }),
  };
}

/** Mean time of one Opus decode (48 kHz mono, 20 ms) of the fixture packets, µs (min of 5 rounds). */
async function opusDecodeUs(): Promise<number> {
  const packets = await speechOpusPayloads();
  const decoder = await OpusFrameDecoder.create(48000);
  const pcm = new Int16Array(960);
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const t0 = performance.now();
    for (const p of packets) decoder.decodeInto(pcm, p, undefined);
    best = Math.min(best, ((performance.now() - t0) * 1000) / packets.length);
  }
  decoder.free();
  return Math.round(best * 10) / 10;
}

/** The level of `n` participants: the steady phase's at the top, the ramp's below. */
function levelAt(d: CampaignData, n: number): CampaignLevel | undefined {
  if (d.steady && d.joined === n) return d.steady;
  return d.levels.find((l) => l.participants === n);
}

const round = (v: number, digits = 4): number => Math.round(v * 10 ** digits) / 10 ** digits;

/** One point per N ≥ 2 the run measured. */
export function conferencePoints(d: CampaignData, decodeUs: number): ConferencePoint[] {
  const counts = [...new Set([...d.levels.map((l) => l.participants), ...(d.steady ? [d.joined] : [])])].filter((n) => n >= 2);
  return counts
    .sort((a, b) => a - b)
    .flatMap((n) => {
      const l = levelAt(d, n);
      if (!l) return [];
      const clientInPps = l.rtpInPps / n;
      const clientDecodeCpu = (clientInPps * decodeUs) / 1e6;
      return [
        {
          n,
          gatewayCpu: l.gatewayCpu,
          gatewayInBps: l.gatewayInBps,
          gatewayOutBps: l.gatewayOutBps,
          clientInBps: Math.round(l.gatewayOutBps / n),
          clientInPps: round(clientInPps, 1),
          clientDecodeCpu: round(clientDecodeCpu, 5),
          totalCpu: l.gatewayCpu === null ? null : round(l.gatewayCpu + n * clientDecodeCpu),
          loss: l.loss,
          late: l.late,
        },
      ];
    });
}

/** The first N where the SFU's metric ≥ the MCU's (both measured at that N). */
export function crossovers(sfu: ConferencePoint[], mcu: ConferencePoint[]): Crossovers {
  const first = (metric: (p: ConferencePoint) => number | null): number | null => {
    for (const s of sfu) {
      const m = mcu.find((p) => p.n === s.n);
      const a = metric(s);
      const b = m ? metric(m) : null;
      if (a !== null && b !== null && a >= b) return s.n;
    }
    return null;
  };
  return {
    gatewayCpu: first((p) => p.gatewayCpu),
    clientBandwidth: first((p) => p.clientInBps),
    clientDecodeCpu: first((p) => p.clientDecodeCpu),
    totalCpu: first((p) => p.totalCpu),
  };
}

function summarize(d: McuVsSfuData): string {
  const pct = (v: number | null): string => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);
  const rows = [
    ['N', 'SFU gw CPU', 'MCU gw CPU', 'SFU client kbit/s', 'MCU client kbit/s', 'SFU client pps', 'MCU client pps', 'SFU loss', 'MCU loss'],
  ];
  for (const s of d.points.sfu) {
    const m = d.points.mcu.find((p) => p.n === s.n);
    rows.push([
      String(s.n),
      pct(s.gatewayCpu),
      pct(m?.gatewayCpu ?? null),
      (s.clientInBps / 1000).toFixed(1),
      m ? (m.clientInBps / 1000).toFixed(1) : 'n/a',
      String(s.clientInPps),
      m ? String(m.clientInPps) : 'n/a',
      pct(s.loss),
      pct(m?.loss ?? null),
    ]);
  }
  const c = d.crossover;
  return [
    `mcu-vs-sfu (${d.gateway} ${d.gatewayVersion}): N up to ${d.max}; Opus decode ${d.clientDecodeUsPerPacket} µs per packet`,
    formatTable(rows),
    `crossover N (SFU ≥ MCU): gateway CPU ${c.gatewayCpu ?? 'none'}, client bandwidth ${c.clientBandwidth ?? 'none'}, ` +
      `client decode ${c.clientDecodeCpu ?? 'none'}, gateway + clients CPU ${c.totalCpu ?? 'none'}`,
    '',
    'SFU run:',
    summarizeCampaign(d.sfu),
    '',
    'MCU run:',
    summarizeCampaign(d.mcu),
    // The campaign test and the lead grep for this line in every media run's output.
    `held ${Math.min(d.sfu.maxHeld, d.mcu.maxHeld)} with loss and late ≤ 1% (SFU ${d.sfu.maxHeld}, MCU ${d.mcu.maxHeld})`,
  ].join('\n');
}

/** `npm run bench -- mcu-vs-sfu [--gateway cardea|janus|both] [--max N] [--quick]`. */
export const mcuVsSfu: Scenario = {
  description: 'MCU vs SFU (paper scenario 4): N-party audio conference, N = 2…20, audio-only VideoRoom vs AudioBridge; crossover N',
  media: true,
  async run(options: ScenarioOptions): Promise<ScenarioResult> {
    const report = options.onProgress ?? (() => undefined);
    const sfu = await runCampaign(sfuPlan(options), {
      gateway: options.gateway,
      onProgress: (f, label) => report(f / 2, `SFU: ${label}`),
    });
    const mcu = await runCampaign(mcuPlan(options), {
      gateway: options.gateway,
      onProgress: (f, label) => report(0.5 + f / 2, `MCU: ${label}`),
    });
    const decodeUs = await opusDecodeUs();
    const points = { sfu: conferencePoints(sfu, decodeUs), mcu: conferencePoints(mcu, decodeUs) };
    const data: McuVsSfuData = {
      scenario: scenarioName,
      gateway: options.gateway,
      gatewayVersion: sfu.gatewayVersion,
      max: sfu.max,
      clientDecodeUsPerPacket: decodeUs,
      points,
      crossover: crossovers(points.sfu, points.mcu),
      definitions: crossoverDefinitions,
      sfu,
      mcu,
    };
    return { scenario: scenarioName, gateway: options.gateway, summary: summarize(data), data: data as unknown as Record<string, unknown> };
  },
  report: writeMcuVsSfuReport,
};

/** The latest result of each gateway in `outDir`. */
async function latestRuns(
  outDir: string,
): Promise<Partial<Record<GatewayKind, { file: string; report: BenchReport; data: McuVsSfuData }>>> {
  const names = (await readdir(outDir).catch(() => [] as string[])).sort();
  const found: Partial<Record<GatewayKind, { file: string; report: BenchReport; data: McuVsSfuData }>> = {};
  for (const gateway of ['cardea', 'janus'] as const) {
    const file = names.filter((n) => n.startsWith(`${scenarioName}-${gateway}-`) && n.endsWith('.json')).at(-1);
    if (!file) continue;
    const report = JSON.parse(await readFile(path.join(outDir, file), 'utf8')) as BenchReport;
    found[gateway] = { file, report, data: report.result as unknown as McuVsSfuData };
  }
  return found;
}

/**
 * Writes `report-mcu-vs-sfu.md` and the figures (gateway CPU, per-participant received bandwidth,
 * gateway bandwidth, gateway + clients CPU, each against N, SFU solid and MCU dashed, Cardea and
 * Janus in their colours) from the latest results; with `docs`, copies them to docs/bench/.
 */
export async function writeMcuVsSfuReport(outDir: string, options: { docs: boolean }): Promise<string[]> {
  const runs = await latestRuns(outDir);
  const any = runs.cardea ?? runs.janus;
  if (!any) return [];
  const series = (pick: (p: ConferencePoint) => number | null): PlotSeries[] =>
    (['cardea', 'janus'] as const).flatMap((g) => {
      const d = runs[g]?.data;
      if (!d) return [];
      return (['sfu', 'mcu'] as const).map((arch): PlotSeries => {
        const points = d.points[arch].flatMap((p): [number, number][] => {
          const v = pick(p);
          return v === null ? [] : [[p.n, v]];
        });
        const name = `${g === 'cardea' ? 'Cardea' : 'Janus'} ${arch.toUpperCase()}`;
        const color = gatewayColors[g] as string;
        return arch === 'sfu' ? { name, color, points } : { name, color, dash: '6 4', points };
      });
    });
  const x = 'participants (N)';
  const figures: Record<string, string> = {
    cpu: lineChart({
      title: 'MCU vs SFU: gateway CPU',
      xLabel: x,
      yLabel: 'CPU, % of one core',
      series: series((p) => (p.gatewayCpu === null ? null : p.gatewayCpu * 100)),
    }),
    client: lineChart({
      title: 'MCU vs SFU: what one participant receives',
      xLabel: x,
      yLabel: 'kbit/s per participant',
      series: series((p) => p.clientInBps / 1000),
    }),
    bandwidth: lineChart({
      title: 'MCU vs SFU: gateway bandwidth out',
      xLabel: x,
      yLabel: 'Mbit/s',
      series: series((p) => p.gatewayOutBps / 1e6),
    }),
    total: lineChart({
      title: 'MCU vs SFU: gateway + all clients’ decode CPU',
      xLabel: x,
      yLabel: 'CPU, % of one core',
      series: series((p) => (p.totalCpu === null ? null : p.totalCpu * 100)),
    }),
  };
  const written: string[] = [];
  const pngs = existsSync(rsvgConvert);
  for (const [name, svg] of Object.entries(figures)) {
    const file = path.join(outDir, `${scenarioName}-${name}.svg`);
    await writeFile(file, svg);
    written.push(file);
    if (pngs) {
      const png = file.replace(/\.svg$/, '.png');
      execFileSync(rsvgConvert, ['-o', png, file]);
      written.push(png);
    }
  }
  const pct = (v: number | null | undefined): string => (v === null || v === undefined ? 'n/a' : `${(v * 100).toFixed(1)}%`);
  const lines = [
    '# MCU vs SFU: an N-party audio conference, Cardea and Janus',
    '',
    `Host: ${any.report.machine.cpuModel}, ${any.report.machine.cores} cores; Node ${any.report.machine.node}; ` +
      `commit ${any.report.machine.gitCommit?.slice(0, 10) ?? 'n/a'}${any.report.machine.gitDirty ? ' (dirty)' : ''}` +
      `${any.report.options.quick ? ' (**--quick**: a smoke run, not a measurement)' : ''}.`,
    'SFU: audio-only VideoRoom, each participant one publisher PC and one multistream subscriber PC carrying the N−1 other feeds ' +
      '(extended with `subscribe` as participants arrive). MCU: AudioBridge at 16 kHz, full mixing (Cardea `mixing: full`), one PC each. ' +
      'Everyone sends the same real Opus speech (48 kHz mono, 20 ms, 50 packets/s).',
    '',
    '## Crossover N (the paper: 8)',
    '',
    '| metric (SFU ≥ MCU from N on) | Cardea | Janus | definition |',
    '|---|---|---|---|',
    ...(Object.keys(crossoverDefinitions) as (keyof Crossovers)[]).map(
      (k) =>
        `| ${k} | ${runs.cardea ? (runs.cardea.data.crossover[k] ?? 'none ≤ ' + runs.cardea.data.max) : 'not run'} | ` +
        `${runs.janus ? (runs.janus.data.crossover[k] ?? 'none ≤ ' + runs.janus.data.max) : 'not run'} | ${crossoverDefinitions[k]} |`,
    ),
    '',
    ...Object.keys(figures).map((f) => `![${f}](${scenarioName}-${f}.${pngs ? 'png' : 'svg'})`),
    '',
  ];
  for (const g of ['cardea', 'janus'] as const) {
    const run = runs[g];
    if (!run) continue;
    const d = run.data;
    lines.push(
      `## ${g === 'cardea' ? 'Cardea' : 'Janus'} ${d.gatewayVersion} (${run.file}; Opus decode ${d.clientDecodeUsPerPacket} µs per packet)`,
      '',
      '| N | SFU gw CPU | MCU gw CPU | SFU gw in / out Mbit/s | MCU gw in / out Mbit/s | SFU client kbit/s | MCU client kbit/s | SFU client pps | MCU client pps | SFU total CPU | MCU total CPU | SFU loss / late | MCU loss / late |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const s of d.points.sfu) {
      const m = d.points.mcu.find((p) => p.n === s.n);
      const io = (p: ConferencePoint | undefined): string =>
        p ? `${(p.gatewayInBps / 1e6).toFixed(2)} / ${(p.gatewayOutBps / 1e6).toFixed(2)}` : 'n/a';
      lines.push(
        `| ${s.n} | ${pct(s.gatewayCpu)} | ${pct(m?.gatewayCpu)} | ${io(s)} | ${io(m)} | ${(s.clientInBps / 1000).toFixed(1)} | ${m ? (m.clientInBps / 1000).toFixed(1) : 'n/a'} | ` +
          `${s.clientInPps} | ${m?.clientInPps ?? 'n/a'} | ${pct(s.totalCpu)} | ${pct(m?.totalCpu)} | ${pct(s.loss)} / ${pct(s.late)} | ${m ? `${pct(m.loss)} / ${pct(m.late)}` : 'n/a'} |`,
      );
    }
    for (const [arch, c] of [
      ['SFU', d.sfu],
      ['MCU', d.mcu],
    ] as const)
      if (c.stopReason || c.failedJoins)
        lines.push('', `${arch}: ${c.joined}/${c.max} joined, ${c.failedJoins} failed${c.stopReason ? `; stopped: ${c.stopReason}` : ''}`);
    lines.push('');
  }
  lines.push(
    'Gateway CPU: user + system time of the gateway process from /proc, fraction of one core (gateway pinned to core 0, generator to core 1). ' +
      'Client kbit/s and pps: the gateway’s output (UDP payload incl. SRTP, as the generator received it) divided by N. ' +
      'Client decode CPU: client pps × the measured Opus decode time; total CPU: gateway CPU + N × client decode CPU. ' +
      'Each N is the mean of the seconds the conference had N participants (the top N: the steady phase).',
    '',
  );
  const report = path.join(outDir, `report-${scenarioName}.md`);
  await writeFile(report, lines.join('\n'));
  written.unshift(report);
  if (options.docs) {
    await mkdir(docsBenchDir, { recursive: true });
    const results = Object.values(runs).map((r) => path.join(outDir, r.file));
    for (const file of [...written, ...results]) {
      const target = path.join(docsBenchDir, path.basename(file));
      await copyFile(file, target);
      written.push(target);
    }
  }
  return written;
}
