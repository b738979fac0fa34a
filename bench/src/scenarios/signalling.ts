// Signalling overhead: how many Janus API session lifecycles one gateway core serves per second.
//
// The gateway runs in a child process pinned to core 0; this process (the load generator) moves to
// core 1. C WebSocket clients each loop create → attach janus.plugin.echotest → message {audio:true}
// (ack + event) → detach → destroy, as fast as replies come back (a closed loop: C requests in flight).
// After a warm-up, completions are counted over a steady window while the gateway's CPU time is read
// from procfs, so cycles/s ÷ gateway CPU fraction gives cycles/s per core even when the gateway is
// not saturated.
import type { Scenario, ScenarioOptions, ScenarioResult } from '../BenchTypes.ts';
import { CardeaProcess } from '../gateway/CardeaProcess.ts';
import { JanusClientClosedError, JanusWsClient } from '../load/JanusWsClient.ts';
import { summarizeLatency, type LatencySummary } from '../load/latency.ts';
import { formatTable } from '../report/table.ts';
import { coreCount, pinProcess } from '../system/cpuAffinity.ts';
import { coreBusySeconds } from '../system/procStats.ts';

const plugin = 'janus.plugin.echotest';
const steps = ['create', 'attach', 'message', 'detach', 'destroy'] as const;
type Step = (typeof steps)[number];

/** Core the gateway is pinned to, and the core the load generator moves to. */
const gatewayCore = 0;
const generatorCore = 1;

/** One round-trip kind over the window. */
export type RoundTripResult = { perSecond: number; p50Ms: number | null; p99Ms: number | null };

/** The numbers of one concurrency level. */
export type SignallingLevel = {
  /** Concurrent WebSocket clients (one session in flight each). */
  clients: number;
  windowSeconds: number;
  /** Full cycles (create → attach → message → detach → destroy) completed in the window. */
  cycles: number;
  cyclesPerSecond: number;
  /** Latency of a whole cycle (five round trips). */
  cycleLatency: LatencySummary;
  /** Per request kind: completions per second in the window and latency. */
  roundTrips: Record<Step, RoundTripResult>;
  /** Gateway user + system CPU over the window as a fraction of one core (null without procfs). */
  gatewayCpuFraction: number | null;
  /** cyclesPerSecond ÷ gatewayCpuFraction: what one fully busy gateway core would sustain. */
  cyclesPerSecondPerCore: number | null;
  /** The load generator's own CPU fraction: near 1.0 means the generator, not the gateway, is the limit. */
  loadGeneratorCpuFraction: number;
  /** CPU other processes took on the gateway's core during the window (null: unpinned or no procfs); well above 0, the host was busy. */
  gatewayCoreOtherCpuFraction: number | null;
  /** CPU (in cores) every other process on the host used during the window (null without procfs). */
  hostOtherCpuFraction: number | null;
  gatewayRssBytes: number | null;
  gatewayPeakRssBytes: number | null;
  /** Cycles that failed (a Janus error reply or a closed socket). */
  errors: number;
};

/** `result` of a signalling report. */
export type SignallingData = {
  cycle: readonly Step[];
  plugin: string;
  warmupSeconds: number;
  windowSeconds: number;
  /** Cores the gateway and the generator were pinned to (null: not pinned). */
  gatewayCore: number | null;
  loadGeneratorCore: number | null;
  gatewayIdleRssBytes: number | null;
  levels: SignallingLevel[];
};

/** Concurrency levels: 1, 8, 32 (quick: 1, 8), capped by --max, which is itself measured. */
export function signallingLevels(options: Pick<ScenarioOptions, 'max' | 'quick'>): number[] {
  const base = options.quick ? [1, 8] : [1, 8, 32];
  if (options.max === undefined) return base;
  return [...base.filter((c) => c < (options.max as number)), options.max];
}

/** Collects step and cycle latencies completed inside the measurement window. */
class WindowRecorder {
  open = false;
  cycles = 0;
  errors = 0;
  readonly cycleMs: number[] = [];
  readonly stepMs: Record<Step, number[]> = { create: [], attach: [], message: [], detach: [], destroy: [] };

  /** `marks` are the six performance.now() times around the five steps of one cycle. */
  record(marks: number[]): void {
    if (!this.open) return;
    steps.forEach((step, i) => this.stepMs[step].push((marks[i + 1] as number) - (marks[i] as number)));
    this.cycleMs.push((marks[5] as number) - (marks[0] as number));
    this.cycles++;
  }
}

async function cycle(client: JanusWsClient): Promise<number[]> {
  const marks = [performance.now()];
  const session = await client.createSession();
  marks.push(performance.now());
  const handle = await client.attach(session, plugin);
  marks.push(performance.now());
  await client.message(session, handle, { audio: true });
  marks.push(performance.now());
  await client.detach(session, handle);
  marks.push(performance.now());
  await client.destroy(session);
  marks.push(performance.now());
  return marks;
}

async function clientLoop(client: JanusWsClient, recorder: WindowRecorder, state: { stopping: boolean }): Promise<void> {
  while (!state.stopping) {
    try {
      recorder.record(await cycle(client));
    } catch (error) {
      if (recorder.open) recorder.errors++;
      if (error instanceof JanusClientClosedError) return;
    }
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function measureLevel(
  gateway: CardeaProcess,
  clients: number,
  timing: { warmupMs: number; windowMs: number },
  progress: (phase: string, fractionOfLevel: number) => void,
): Promise<SignallingLevel> {
  const connections = await Promise.all(Array.from({ length: clients }, () => JanusWsClient.connect(gateway.wsUrl)));
  const recorder = new WindowRecorder();
  const state = { stopping: false };
  const loops = connections.map((c) => clientLoop(c, recorder, state));
  const total = timing.warmupMs + timing.windowMs;
  const started = performance.now();
  const ticker = setInterval(() => {
    const elapsed = performance.now() - started;
    progress(elapsed < timing.warmupMs ? 'warm-up' : 'measuring', Math.min(1, elapsed / total));
  }, 200);
  try {
    await sleep(timing.warmupMs);
    const cpu0 = gateway.cpuSeconds();
    const core0 = gateway.pinnedCore === undefined ? undefined : coreBusySeconds(gateway.pinnedCore);
    const host0 = coreBusySeconds('all');
    const generator0 = process.cpuUsage();
    const t0 = performance.now();
    recorder.open = true;
    await sleep(timing.windowMs);
    recorder.open = false;
    const seconds = (performance.now() - t0) / 1000;
    const cpu1 = gateway.cpuSeconds();
    const core1 = gateway.pinnedCore === undefined ? undefined : coreBusySeconds(gateway.pinnedCore);
    const host1 = coreBusySeconds('all');
    const generator = process.cpuUsage(generator0);
    const memory = gateway.memory();
    state.stopping = true;
    // Each client finishes its cycle in flight; one stuck past 5 s is cut off by close() below.
    await Promise.race([Promise.all(loops), sleep(5000)]);

    const gatewayCpuFraction = cpu0 !== undefined && cpu1 !== undefined ? (cpu1 - cpu0) / seconds : null;
    const generatorCpuFraction = (generator.user + generator.system) / 1e6 / seconds;
    const cyclesPerSecond = recorder.cycles / seconds;
    const roundTrips = Object.fromEntries(
      steps.map((step) => {
        const { p50Ms, p99Ms } = summarizeLatency(recorder.stepMs[step]);
        return [step, { perSecond: round(recorder.stepMs[step].length / seconds), p50Ms, p99Ms }];
      }),
    ) as Record<Step, RoundTripResult>;
    return {
      clients,
      windowSeconds: round(seconds),
      cycles: recorder.cycles,
      cyclesPerSecond: round(cyclesPerSecond),
      cycleLatency: summarizeLatency(recorder.cycleMs),
      roundTrips,
      gatewayCpuFraction: gatewayCpuFraction === null ? null : round(gatewayCpuFraction),
      cyclesPerSecondPerCore: gatewayCpuFraction ? round(cyclesPerSecond / gatewayCpuFraction) : null,
      loadGeneratorCpuFraction: round(generatorCpuFraction),
      gatewayCoreOtherCpuFraction:
        core0 !== undefined && core1 !== undefined && gatewayCpuFraction !== null
          ? round(Math.max(0, (core1 - core0) / seconds - gatewayCpuFraction))
          : null,
      hostOtherCpuFraction:
        host0 !== undefined && host1 !== undefined && gatewayCpuFraction !== null
          ? round(Math.max(0, (host1 - host0) / seconds - gatewayCpuFraction - generatorCpuFraction))
          : null,
      gatewayRssBytes: memory?.rssBytes ?? null,
      gatewayPeakRssBytes: memory?.peakRssBytes ?? null,
      errors: recorder.errors,
    };
  } finally {
    clearInterval(ticker);
    state.stopping = true;
    for (const c of connections) c.close();
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function summarize(data: SignallingData): string {
  const fixed = (v: number | null, digits = 0): string => (v === null ? 'n/a' : v.toFixed(digits));
  const mib = (bytes: number | null): string => (bytes === null ? 'n/a' : (bytes / 2 ** 20).toFixed(0));
  const percent = (f: number | null): string => (f === null ? 'n/a' : `${(f * 100).toFixed(0)}%`);
  const rows = [
    [
      'clients',
      'cycles/s',
      'gw CPU',
      'cycles/s/core',
      'p50 ms',
      'p99 ms',
      'create/s',
      'attach/s',
      'message/s',
      'gen CPU',
      'other CPU',
      'RSS MiB',
      'errors',
    ],
    ...data.levels.map((l) => [
      String(l.clients),
      fixed(l.cyclesPerSecond),
      percent(l.gatewayCpuFraction),
      fixed(l.cyclesPerSecondPerCore),
      fixed(l.cycleLatency.p50Ms, 2),
      fixed(l.cycleLatency.p99Ms, 2),
      fixed(l.roundTrips.create.perSecond),
      fixed(l.roundTrips.attach.perSecond),
      fixed(l.roundTrips.message.perSecond),
      percent(l.loadGeneratorCpuFraction),
      percent(l.hostOtherCpuFraction),
      mib(l.gatewayRssBytes),
      String(l.errors),
    ]),
  ];
  const pinning =
    data.gatewayCore === null
      ? 'gateway not pinned (no taskset)'
      : `gateway pinned to core ${data.gatewayCore}, load generator ${data.loadGeneratorCore === null ? 'not pinned' : `on core ${data.loadGeneratorCore}`}`;
  return [
    `signalling (cardea): cycles of ${data.cycle.join(' → ')} over WebSocket, ${data.plugin} message {audio:true} waits for ack + event`,
    `${pinning}; ${data.windowSeconds} s window after ${data.warmupSeconds} s warm-up; gateway idle RSS ${mib(data.gatewayIdleRssBytes)} MiB`,
    formatTable(rows),
    'gw CPU, gen CPU: gateway and load generator CPU (% of one core); other CPU: every other process on the host; ' +
      'cycles/s/core = cycles/s ÷ gw CPU. Latencies are per whole cycle.',
  ].join('\n');
}

/** Runs the signalling scenario (see the file comment); only `--gateway cardea` is implemented. */
export async function runSignalling(options: ScenarioOptions): Promise<ScenarioResult> {
  if (options.gateway !== 'cardea') throw new Error(`signalling: gateway '${options.gateway}' is not implemented, only cardea`);
  const timing = options.quick ? { warmupMs: 500, windowMs: 1000 } : { warmupMs: 1000, windowMs: 5000 };
  const levels = signallingLevels(options);
  const report = options.onProgress ?? (() => undefined);
  report(0, 'starting the gateway');
  const gateway = await CardeaProcess.start({ core: gatewayCore });
  const restoreAffinity =
    gateway.pinnedCore !== undefined && coreCount() > generatorCore ? pinProcess(process.pid, generatorCore) : undefined;
  try {
    const data: SignallingData = {
      cycle: steps,
      plugin,
      warmupSeconds: timing.warmupMs / 1000,
      windowSeconds: timing.windowMs / 1000,
      gatewayCore: gateway.pinnedCore ?? null,
      loadGeneratorCore: restoreAffinity ? generatorCore : null,
      gatewayIdleRssBytes: gateway.memory()?.rssBytes ?? null,
      levels: [],
    };
    for (const [index, clients] of levels.entries()) {
      const level = await measureLevel(gateway, clients, timing, (phase, f) =>
        report((index + f) / levels.length, `${clients} client${clients === 1 ? '' : 's'}: ${phase}`),
      );
      data.levels.push(level);
    }
    report(1, 'done');
    return { scenario: 'signalling', gateway: 'cardea', summary: summarize(data), data };
  } finally {
    restoreAffinity?.();
    await gateway.close();
  }
}

/** The `signalling` scenario of `npm run bench`. */
export const signalling: Scenario = {
  description: 'create → attach (echotest) → message → detach → destroy cycles per second on one gateway core, at 1, 8 and 32 clients',
  run: runSignalling,
};
