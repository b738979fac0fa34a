// AudioBridge MCU capacity (issue #4): one room grown in steps, full mixing (every participant
// decoded, an N−1 encode each, as Janus) against active-speaker mixing (3 loudest mixed, one shared
// encode for everyone else), on ONE pinned core. Reports per step the mixer's CPU %, RSS, late
// frames and bandwidth, as JSON and as an SVG like the paper's Fig. 5 (CPU) and Fig. 6 (bandwidth).
//
// What runs: the core's real mixer (core/src/media/audio: libopus WASM, jitter buffers, the
// AssemblyScript kernel, the drift-free clock) in this process, pinned to the quietest core (each
// step reports what other processes used on it), fed by a pacer
// that injects one real Opus packet (48 kHz, as browsers send, with its RFC 6464 level) per
// participant every 20 ms: three participants talk at a time (rotating every 4 s), the others send
// background noise. The network path is a counting stub, so the numbers are the MCU's own cost;
// werift's per-packet path adds ~40–60 µs per packet each way on top (see `wireCostNote`).
import path from 'node:path';
import { writeFile, mkdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { AudioMixers } from '../../../core/src/media/audio/AudioMixers.ts';
import type { AudioMixer } from '../../../core/src/media/audio/AudioMixer.ts';
import type { AudioEndpoint, AudioPacketSink, AudioTransport } from '../../../core/src/media/audio/AudioEndpointTypes.ts';
import type { WebRtcPeer } from '../../../core/src/webrtc/WebRtcPeer.ts';
import type { Scenario, ScenarioOptions, ScenarioResult } from '../BenchTypes.ts';
import { defaultResultsDir } from '../report/writeReport.ts';
import { formatTable } from '../report/table.ts';
import { coreCount, pinProcess } from '../system/cpuAffinity.ts';
import { coreBusySeconds } from '../system/procStats.ts';
import { measureCodecCosts, type CodecCosts } from './audiobridge/codecCosts.ts';
import { makeSpeechFixtures, type SpeechFixtures } from './audiobridge/speechFixtures.ts';
import { svgChart } from './audiobridge/svgPlot.ts';

type Mode = 'full' | 'active-speaker';

/** One measured room size. */
export interface AudioBridgeStep {
  mode: Mode;
  participants: number;
  /** CPU of this process (the mixer, the pacer, GC) over the window, % of one core. */
  cpuPercent: number;
  /** Share of wall time inside mixer ticks, %. */
  mixerLoadPercent: number;
  /**
   * CPU other processes used on the pinned core over the window, % (null unpinned or without
   * procfs): well above 0, another workload shared the core and late frames may be its doing.
   */
  otherCpuPercent: number | null;
  rssMiB: number;
  /** Mix frames produced in the window, frames that started > 10 ms late, and skipped frames. */
  frames: number;
  lateFrames: number;
  skippedFrames: number;
  maxLatenessMs: number;
  /** Codec work per second. */
  decodesPerSecond: number;
  encodesPerSecond: number;
  /** RTP payload bit rates, kbit/s: into the bridge (all participants) and out of it. */
  inKbps: number;
  outKbps: number;
  /** Estimated on the wire (payload + 12 RTP + 8 extension + 10 SRTP tag + 28 UDP/IPv4 bytes per packet), Mbit/s. */
  wireInMbps: number;
  wireOutMbps: number;
}

/** `result` of an audiobridge report. */
export interface AudioBridgeData {
  sampleRate: number;
  windowMs: number;
  speakersMixed: number;
  talkersAtOnce: number;
  pinnedCore: number | null;
  /** This machine's per-frame costs of the building blocks (min over rounds). */
  costs: CodecCosts;
  steps: AudioBridgeStep[];
  /** Largest measured room with no late or skipped frame and CPU < 100 %, per mode. */
  participantsPerCore: Record<Mode, number>;
  svg: string;
  wireCostNote: string;
}

const RATE = 16000;
const TALKERS = 3;
const SPEAKERS = 3;
/** Bytes per packet on the wire beyond the Opus payload (see AudioBridgeStep.wireOutMbps). */
const OVERHEAD = 12 + 8 + 10 + 28;

/** The network side as a stub: sends are counted, packets are injected by the pacer. */
class CountingTransport implements AudioTransport {
  packetsOut = 0;
  bytesOut = 0;
  readonly sinks: AudioPacketSink[] = [];

  open(handleId: number, _peer: WebRtcPeer, sink: AudioPacketSink): AudioEndpoint {
    this.sinks.push(sink);
    const count = (payload: Uint8Array): void => {
      this.packetsOut++;
      this.bytesOut += payload.length;
    };
    return { handleId, canSend: true, send: count, close: () => undefined };
  }

  sendMany(_endpoints: readonly AudioEndpoint[], count: number, payload: Uint8Array): void {
    this.packetsOut += count;
    this.bytesOut += count * payload.length;
  }
}

/** Injects one packet per participant per 20 ms: talkers send speech, the others noise. */
class Pacer {
  packetsIn = 0;
  bytesIn = 0;
  readonly #fixtures: SpeechFixtures;
  readonly #transport: CountingTransport;
  #frame = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(fixtures: SpeechFixtures, transport: CountingTransport) {
    this.#fixtures = fixtures;
    this.#transport = transport;
  }

  start(): void {
    const started = performance.now();
    const tick = (): void => {
      this.#send();
      this.#timer = setTimeout(tick, Math.max(0, started + this.#frame * 20 - performance.now()));
    };
    tick();
  }

  stop(): void {
    clearTimeout(this.#timer);
  }

  #send(): void {
    const sinks = this.#transport.sinks;
    const n = sinks.length;
    const f = this.#frame++;
    const rotation = Math.floor(f / 200);
    const { voices, noise } = this.#fixtures;
    const frames = noise.length;
    for (let i = 0; i < n; i++) {
      const talking = (i - rotation * TALKERS + n * 1000) % n < TALKERS;
      const stream = talking ? (voices[i % voices.length] as typeof noise) : noise;
      const packet = stream[(f + i * 7) % frames] as (typeof noise)[number];
      (sinks[i] as AudioPacketSink)(f & 0xffff, packet.payload, packet.level);
      this.packetsIn++;
      this.bytesIn += packet.payload.length;
    }
  }
}

async function measure(
  mode: Mode,
  participants: number,
  fixtures: SpeechFixtures,
  windowMs: number,
  warmupMs: number,
  core: number | null,
): Promise<AudioBridgeStep> {
  const transport = new CountingTransport();
  const mixers = new AudioMixers({ transport });
  const id = await mixers.create({ sampleRate: RATE, mode, speakers: SPEAKERS, prebuffer: 3 });
  const mixer: AudioMixer = mixers.get(id);
  for (let h = 1; h <= participants; h++) {
    await mixers.add(h, id, {});
    mixers.attach(h, {} as WebRtcPeer);
  }
  const pacer = new Pacer(fixtures, transport);
  pacer.start();
  await sleep(warmupMs);
  const c0 = process.cpuUsage();
  const busy0 = core === null ? undefined : coreBusySeconds(core);
  const t0 = performance.now();
  const s0 = {
    ...mixer.clock.stats,
    ...mixer.counters,
    pin: pacer.packetsIn,
    bin: pacer.bytesIn,
    pout: transport.packetsOut,
    bout: transport.bytesOut,
  };
  await sleep(windowMs);
  const cpu = process.cpuUsage(c0);
  const busy1 = core === null ? undefined : coreBusySeconds(core);
  const seconds = (performance.now() - t0) / 1000;
  const ownSeconds = (cpu.user + cpu.system) / 1e6;
  const otherCpuPercent =
    busy0 === undefined || busy1 === undefined ? null : Math.max(0, Math.round(((busy1 - busy0 - ownSeconds) / seconds) * 1000) / 10);
  const s1 = mixer.clock.stats;
  const k = mixer.counters;
  const rss = process.memoryUsage().rss;
  pacer.stop();
  await mixers.close();
  const kbps = (bytes: number) => Math.round((bytes * 8) / seconds / 1000);
  const mbps = (bytes: number, packets: number) => Math.round(((bytes + packets * OVERHEAD) * 8) / seconds / 1e4) / 100;
  return {
    mode,
    participants,
    cpuPercent: Math.round((ownSeconds / seconds) * 1000) / 10,
    mixerLoadPercent: Math.round(((s1.busyMs - s0.busyMs) / (seconds * 1000)) * 1000) / 10,
    otherCpuPercent,
    rssMiB: Math.round(rss / 2 ** 20),
    frames: s1.frames - s0.frames,
    lateFrames: s1.late - s0.late,
    skippedFrames: s1.skipped - s0.skipped,
    maxLatenessMs: Math.round(s1.maxLatenessMs * 10) / 10,
    decodesPerSecond: Math.round((k.decodes - s0.decodes) / seconds),
    encodesPerSecond: Math.round((k.encodes - s0.encodes) / seconds),
    inKbps: kbps(pacer.bytesIn - s0.bin),
    outKbps: kbps(transport.bytesOut - s0.bout),
    wireInMbps: mbps(pacer.bytesIn - s0.bin, pacer.packetsIn - s0.pin),
    wireOutMbps: mbps(transport.bytesOut - s0.bout, transport.packetsOut - s0.pout),
  };
}

function stepsFor(mode: Mode, quick: boolean, max: number | undefined): number[] {
  const base =
    mode === 'full'
      ? quick
        ? [10, 40, 80]
        : [10, 25, 50, 75, 100, 125, 150, 175, 200]
      : quick
        ? [10, 100, 300]
        : [10, 50, 100, 200, 300, 500, 750, 1000, 1500];
  return base.filter((n) => max === undefined || n <= max);
}

/** A step the core kept up with: no late or skipped frame, and the process under one core. */
const keptUp = (s: AudioBridgeStep): boolean => s.lateFrames === 0 && s.skippedFrames === 0 && s.cpuPercent < 100;
/** A step where the mixer itself ran out of core (not merely a neighbour's preemption). */
const saturated = (s: AudioBridgeStep): boolean => s.cpuPercent >= 95 || s.mixerLoadPercent >= 90;

/** The core that was least busy over the last half second (the bench shares the box with others). */
async function quietestCore(): Promise<number> {
  const cores = [...Array(coreCount()).keys()];
  const before = cores.map((c) => coreBusySeconds(c) ?? 0);
  await sleep(500);
  const busy = cores.map((c, i) => (coreBusySeconds(c) ?? 0) - (before[i] as number));
  return busy.indexOf(Math.min(...busy));
}

async function run(options: ScenarioOptions): Promise<ScenarioResult> {
  const windowMs = options.quick ? 3000 : 8000;
  const warmupMs = options.quick ? 1000 : 2000;
  const pinned = await quietestCore();
  const restore = pinProcess(process.pid, pinned);
  const steps: AudioBridgeStep[] = [];
  let costs: CodecCosts | undefined;
  try {
    options.onProgress?.(0, 'encoding fixtures');
    const fixtures = await makeSpeechFixtures(6, 250);
    options.onProgress?.(0, 'codec costs');
    costs = await measureCodecCosts(fixtures);
    const plan = (['full', 'active-speaker'] as const).flatMap((mode) =>
      stepsFor(mode, options.quick, options.max).map((n) => [mode, n] as const),
    );
    const core = restore ? pinned : null;
    let failures: Record<Mode, number> = { full: 0, 'active-speaker': 0 };
    for (const [i, [mode, n]] of plan.entries()) {
      // Two saturated steps in a row end that mode's climb.
      if (failures[mode] >= 2) continue;
      options.onProgress?.(i / plan.length, `${mode} ${n}`);
      const step = await measure(mode, n, fixtures, windowMs, warmupMs, core);
      steps.push(step);
      failures = { ...failures, [mode]: saturated(step) ? failures[mode] + 1 : 0 };
    }
  } finally {
    restore?.();
  }
  const perCore = (mode: Mode) => Math.max(0, ...steps.filter((s) => s.mode === mode && keptUp(s)).map((s) => s.participants));
  const participantsPerCore = { full: perCore('full'), 'active-speaker': perCore('active-speaker') };
  const series = (mode: Mode, pick: (s: AudioBridgeStep) => number, color: string, name: string) => ({
    name,
    color,
    points: steps.filter((s) => s.mode === mode).map((s) => [s.participants, pick(s)] as [number, number]),
  });
  const svg = svgChart([
    {
      title: `AudioBridge MCU, one core, ${RATE / 1000} kHz mix: CPU`,
      xLabel: 'participants in one room',
      yLabel: 'CPU (% of one core)',
      series: [
        series('full', (s) => s.cpuPercent, '#d62728', 'full mixing (N decodes, N encodes)'),
        series('active-speaker', (s) => s.cpuPercent, '#1f77b4', `active speaker (${SPEAKERS} mixed, shared encode)`),
      ],
      limit: { y: 100, label: 'one core' },
    },
    {
      title: 'Bandwidth out of the bridge',
      xLabel: 'participants in one room',
      yLabel: 'Mbit/s (estimated on the wire)',
      series: [
        series('full', (s) => s.wireOutMbps, '#d62728', 'full mixing'),
        series('active-speaker', (s) => s.wireOutMbps, '#1f77b4', 'active speaker'),
      ],
    },
  ]);
  await mkdir(defaultResultsDir, { recursive: true });
  const svgPath = path.join(defaultResultsDir, `audiobridge-${new Date().toISOString().replace(/[:.]/g, '-')}.svg`);
  await writeFile(svgPath, svg);
  const data: AudioBridgeData = {
    sampleRate: RATE,
    windowMs,
    speakersMixed: SPEAKERS,
    talkersAtOnce: TALKERS,
    pinnedCore: restore ? pinned : null,
    costs: costs,
    steps,
    participantsPerCore,
    svg: svgPath,
    wireCostNote:
      "Mixer cost only: the network side is a counting stub. On werift's per-packet path each participant adds ~50 pps in and out at ~40–60 µs per packet (shared/research/werift.md), about 0.4–0.6 % of a core per participant, which caps a room near 150–200 participants per core before any mixing; the SRTP fast path (core/src/media/srtp) protects K copies of the shared mix in one call.",
  };
  const rows = [['mode', 'N', 'cpu %', 'mix %', 'other %', 'rss MiB', 'late', 'skip', 'dec/s', 'enc/s', 'out Mbit/s']];
  for (const s of steps) {
    rows.push([
      s.mode,
      String(s.participants),
      s.cpuPercent.toFixed(1),
      s.mixerLoadPercent.toFixed(1),
      s.otherCpuPercent === null ? 'n/a' : s.otherCpuPercent.toFixed(1),
      String(s.rssMiB),
      String(s.lateFrames),
      String(s.skippedFrames),
      String(s.decodesPerSecond),
      String(s.encodesPerSecond),
      s.wireOutMbps.toFixed(2),
    ]);
  }
  const c = costs;
  const costLine = `per 20 ms frame: decode 48k→16k ${c.decode48kTo16kUs} µs, encode 16k ${Object.entries(c.encode16kUs)
    .map(([k, v]) => `${k} ${v} µs`)
    .join(', ')}; mix per participant: SIMD ${c.mixSimdNsPerParticipant} ns, JS ${c.mixJsNsPerParticipant} ns`;
  const summary = `${costLine}\n${formatTable(rows)}\n\nparticipants per core at ${RATE / 1000} kHz with late frames = 0: full mixing ${participantsPerCore.full}, active-speaker ${participantsPerCore['active-speaker']} (largest step measured)\nplot: ${svgPath}`;
  return { scenario: 'audiobridge', gateway: options.gateway, summary, data: data as unknown as Record<string, unknown> };
}

export const audiobridge: Scenario = {
  description: 'AudioBridge MCU: one room grown to 200+ participants, full vs active-speaker mixing, CPU/late frames/bandwidth on one core',
  run,
};
