// Runs one media campaign against one gateway, like the paper: setup (rooms, publishers), then
// participants join one at a time at a fixed interval, then a steady phase at the highest load.
// A sampler reads the gateway's CPU and RSS from procfs and the generator's counters once a second.
import os from 'node:os';
import type { GatewayKind } from '../BenchTypes.ts';
import { CardeaProcess } from '../gateway/CardeaProcess.ts';
import type { GatewayProcess } from '../gateway/GatewayProcessTypes.ts';
import { JanusProcess } from '../gateway/JanusProcess.ts';
import { JanusWsClient } from '../load/JanusWsClient.ts';
import { LoadGenerator } from '../load/LoadGenerator.ts';
import { TrafficTotals } from '../load/TrafficCounters.ts';
import { coreCount, pinProcess } from '../system/cpuAffinity.ts';
import { currentNamespace, namespaceIceAddress } from '../system/NetNamespace.ts';
import { coreBusySeconds } from '../system/procStats.ts';
import type { CampaignContext, CampaignData, CampaignLevel, CampaignPlan, CampaignSample } from './CampaignTypes.ts';
import { summarizeLevels } from './levels.ts';

const gatewayCore = 0;
const generatorCore = 1;
/** Janus and Cardea expire sessions after 60 s without a request. */
const keepaliveMs = 25_000;
/** The ramp stops after this many joins in a row fail (the gateway is saturated or broken). */
const maxConsecutiveFailures = 3;
/** Failed joins whose error is kept in the result (the first ones). */
const maxJoinErrors = 5;

/** Where and how the run happens. */
export interface RampRunnerOptions {
  gateway: GatewayKind;
  onProgress?: (fraction: number, label: string) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const round = (v: number, digits = 4): number => Math.round(v * 10 ** digits) / 10 ** digits;

/** Starts the gateway under test on core 0, on the address its ICE must use. */
export async function startGateway(kind: GatewayKind, iceIp: string): Promise<GatewayProcess> {
  return kind === 'janus' ? JanusProcess.start({ core: gatewayCore, iceIp }) : CardeaProcess.start({ core: gatewayCore, iceIp });
}

/** Runs `plan` against `options.gateway` and returns everything measured. */
export async function runCampaign(plan: CampaignPlan, options: RampRunnerOptions): Promise<CampaignData> {
  const netns = currentNamespace() ?? null;
  // Janus cannot gather on loopback interfaces; a bench namespace gives it 127.0.0.2 (NetNamespace.ts).
  if (options.gateway === 'janus' && !netns)
    throw new Error('Janus needs the bench network namespace: run through `npm run bench` as root (see bench/README.md)');
  const iceIp = netns ? namespaceIceAddress : '127.0.0.1';
  const progress = options.onProgress ?? (() => undefined);
  const loadStart = os.loadavg()[0] ?? 0;
  progress(0, `starting ${options.gateway}`);
  const gateway = await startGateway(options.gateway, iceIp);
  const restoreAffinity =
    gateway.pinnedCore !== undefined && coreCount() > generatorCore ? pinProcess(process.pid, generatorCore) : undefined;
  const generator = new LoadGenerator({ iceIp });
  const sessions: number[] = [];
  let client: JanusWsClient | undefined;
  let keepalive: NodeJS.Timeout | undefined;
  const sampler = new Sampler(gateway, generator);
  try {
    if (plan.prepare) await plan.prepare(generator);
    await sleep(500);
    const idleRss = gateway.memory()?.rssBytes ?? null;
    const ws = await JanusWsClient.connect(gateway.wsUrl);
    client = ws;
    keepalive = setInterval(() => {
      for (const s of sessions) void ws.keepalive(s).catch(() => undefined); // a lost keepalive shows up as a failed join later
    }, keepaliveMs);
    const ctx: CampaignContext = {
      gateway,
      client: ws,
      generator,
      connectTimeoutMs: 15_000,
      createSession: async () => {
        const id = await ws.createSession();
        sessions.push(id);
        return id;
      },
    };
    sampler.start('setup');
    if (plan.setup) await plan.setup(ctx, (label) => progress(0, `setup: ${label}`));
    sampler.setPhase('ramp');
    const { joined, failed, stopReason, joinErrors } = await ramp(plan, ctx, sampler, progress);
    sampler.setPhase('steady');
    const steadyStart = performance.now();
    while (performance.now() - steadyStart < plan.steadyMs) {
      const f = (performance.now() - steadyStart) / plan.steadyMs;
      progress(0.85 + 0.15 * f, `steady at ${joined} ${plan.unit}s, ${sampler.lastLabel()}`);
      await sleep(Math.min(1000, plan.steadyMs));
    }
    sampler.stop();
    progress(1, 'done');
    const step = Math.max(1, Math.floor(plan.levelStep ?? 1));
    const levels = summarizeLevels(
      sampler.samples
        .filter((s) => s.phase === 'ramp' && s.participants > 0)
        .map((s) => (step === 1 ? s : { ...s, participants: Math.floor(s.participants / step) * step })),
    );
    const steadySamples = sampler.samples.filter((s) => s.phase === 'steady');
    const steady = summarizeLevels(steadySamples.map((s) => ({ ...s, participants: joined })))[0] ?? null;
    return {
      scenario: plan.scenario,
      gateway: options.gateway,
      gatewayVersion: gateway.version,
      unit: plan.unit,
      max: plan.max,
      joined,
      failedJoins: failed,
      stopReason,
      joinErrors,
      intervalMs: plan.intervalMs,
      steadyMs: plan.steadyMs,
      iceIp,
      netns,
      gatewayCore: gateway.pinnedCore ?? null,
      generatorCore: restoreAffinity ? generatorCore : null,
      gatewayIdleRssBytes: idleRss,
      steady,
      maxHeld: maxHeld(levels, steady, joined),
      levels,
      samples: sampler.samples,
      generator: generatorSummary(generator, sampler.samples),
      plan: plan.describe(),
      loadAverage: { start: round(loadStart, 2), end: round(os.loadavg()[0] ?? 0, 2) },
    };
  } catch (error) {
    const tail = gateway.outputTail().trim().split('\n').slice(-15).join('\n');
    throw new Error(`${(error as Error).message}${tail ? `\n${options.gateway} output (last lines):\n${tail}` : ''}`, { cause: error });
  } finally {
    sampler.stop();
    plan.finish?.();
    clearInterval(keepalive);
    client?.close();
    await generator.close();
    restoreAffinity?.();
    await gateway.close();
  }
}

async function ramp(
  plan: CampaignPlan,
  ctx: CampaignContext,
  sampler: Sampler,
  progress: (fraction: number, label: string) => void,
): Promise<{ joined: number; failed: number; stopReason: string | null; joinErrors: string[] }> {
  const joinErrors: string[] = [];
  let joined = 0;
  let failed = 0;
  let consecutive = 0;
  const t0 = performance.now();
  for (let i = 0; i < plan.max; i++) {
    const due = t0 + i * plan.intervalMs;
    if (performance.now() < due) await sleep(due - performance.now());
    progress((0.85 * i) / plan.max, `${joined}/${plan.max} ${plan.unit}s, ${sampler.lastLabel()}`);
    try {
      await plan.join(ctx, i);
      joined++;
      consecutive = 0;
      sampler.participants = joined;
    } catch (error) {
      failed++;
      consecutive++;
      if (joinErrors.length < maxJoinErrors) joinErrors.push(`join ${i}: ${(error as Error).message}`);
      if (consecutive >= maxConsecutiveFailures)
        return { joined, failed, stopReason: `${consecutive} joins in a row failed, last: ${(error as Error).message}`, joinErrors };
    }
  }
  const end = t0 + plan.max * plan.intervalMs;
  if (performance.now() < end) await sleep(end - performance.now());
  return { joined, failed, stopReason: null, joinErrors };
}

/** Reads the gateway and the generator once a second. */
class Sampler {
  readonly samples: CampaignSample[] = [];
  participants = 0;
  readonly #gateway: GatewayProcess;
  readonly #generator: LoadGenerator;
  #timer: NodeJS.Timeout | undefined;
  #phase: CampaignSample['phase'] = 'setup';
  #rampStart = performance.now();
  #last = {
    t: 0,
    cpu: undefined as number | undefined,
    host: undefined as number | undefined,
    gen: process.cpuUsage(),
    totals: { ...new TrafficTotals() },
  };

  constructor(gateway: GatewayProcess, generator: LoadGenerator) {
    this.#gateway = gateway;
    this.#generator = generator;
  }

  start(phase: CampaignSample['phase']): void {
    this.#phase = phase;
    this.#last = {
      t: performance.now(),
      cpu: this.#gateway.cpuSeconds(),
      host: coreBusySeconds('all'),
      gen: process.cpuUsage(),
      totals: { ...this.#generator.totals },
    };
    this.#timer = setInterval(() => this.#sample(), 1000);
  }

  setPhase(phase: CampaignSample['phase']): void {
    this.#sample(); // close the current second in the old phase
    if (phase === 'ramp') this.#rampStart = performance.now();
    this.#phase = phase;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  lastLabel(): string {
    const s = this.samples.at(-1);
    if (!s) return '';
    const pct = (v: number | null): string => (v === null ? 'n/a' : `${(v * 100).toFixed(0)}%`);
    return `gw CPU ${pct(s.gatewayCpu)}, gen CPU ${pct(s.generatorCpu)}, loss ${(s.loss * 100).toFixed(1)}%`;
  }

  #sample(): void {
    const now = performance.now();
    const seconds = (now - this.#last.t) / 1000;
    if (seconds < 0.2) return;
    const cpu = this.#gateway.cpuSeconds();
    const host = coreBusySeconds('all');
    const gen = process.cpuUsage();
    const totals = { ...this.#generator.totals };
    const prev = this.#last.totals;
    const expected = totals.expected - prev.expected;
    const received = totals.rtpIn - prev.rtpIn;
    const memory = this.#gateway.memory();
    const gatewayCpu = cpu !== undefined && this.#last.cpu !== undefined ? (cpu - this.#last.cpu) / seconds : null;
    const generatorCpu = (gen.user - this.#last.gen.user + gen.system - this.#last.gen.system) / 1e6 / seconds;
    const hostCpu = host !== undefined && this.#last.host !== undefined ? (host - this.#last.host) / seconds : null;
    this.samples.push({
      t: round((now - this.#rampStart) / 1000, 2),
      phase: this.#phase,
      participants: this.participants,
      peers: this.#generator.peerCount,
      gatewayCpu: gatewayCpu === null ? null : round(gatewayCpu),
      gatewayRssBytes: memory?.rssBytes ?? null,
      generatorCpu: round(generatorCpu),
      gatewayInBps: Math.round(((totals.bytesOut - prev.bytesOut) * 8) / seconds),
      gatewayOutBps: Math.round(((totals.bytesIn - prev.bytesIn) * 8) / seconds),
      rtpOutPps: Math.round((totals.rtpOut - prev.rtpOut) / seconds),
      rtpInPps: Math.round(received / seconds),
      loss: expected > 0 ? round(Math.max(0, 1 - received / expected)) : 0,
      late: received > 0 ? round((totals.late - prev.late) / received) : 0,
      hostOtherCpu: hostCpu === null || gatewayCpu === null ? null : round(Math.max(0, hostCpu - gatewayCpu - generatorCpu), 3),
    });
    this.#last = { t: now, cpu, host, gen, totals };
  }
}

/** Largest participant count whose level, and every level below it, kept loss and late ≤ 1%. */
function maxHeld(levels: CampaignLevel[], steady: CampaignLevel | null, joined: number): number {
  const ok = (l: CampaignLevel): boolean => l.loss <= 0.01 && l.late <= 0.01;
  let held = 0;
  for (const level of levels) {
    if (!ok(level)) return held;
    held = level.participants;
  }
  // Every ramp level held: the steady phase at the top decides whether `joined` was held too.
  return steady ? (ok(steady) ? joined : held) : held;
}

function generatorSummary(generator: LoadGenerator, samples: CampaignSample[]): CampaignData['generator'] {
  const busy = samples.filter((s) => s.phase !== 'setup' && s.rtpInPps + s.rtpOutPps > 0);
  const cpu = busy.reduce((sum, s) => sum + s.generatorCpu, 0);
  const packets = busy.reduce((sum, s) => sum + s.rtpInPps + s.rtpOutPps, 0);
  const usPerPacket = packets > 0 ? (cpu / packets) * 1e6 : null;
  const t = generator.totals;
  return {
    cpuUsPerPacket: usPerPacket === null ? null : round(usPerPacket, 2),
    ceilingPps: usPerPacket ? Math.round(1e6 / usPerPacket) : null,
    framesLate: t.framesLate,
    framesSkipped: t.framesSkipped,
    sendErrors: t.sendErrors,
    integritySampled: t.sampled,
    integrityCorrupt: t.corrupt,
    decryptFailures: t.decryptFailures,
    rtcpDecryptFailures: t.rtcpDecryptFailures,
    keyframeRequests: t.keyframeRequests,
    rtcpIn: t.rtcpIn,
    rtcpOut: t.rtcpOut,
    reportBlocks: t.reportBlocks,
    senderReportsIn: t.senderReportsIn,
    videoBitrate: Math.round(generator.fixtures.videoBitrate()),
  };
}
