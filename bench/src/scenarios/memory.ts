// `npm run bench -- memory [--max N] [--quick]`: where Cardea's memory goes. A Cardea gateway in a
// child process (memory/memoryProbe.ts, --expose-gc) takes N audio+video Echo Test PeerConnections
// from the load generator, one level at a time (0, 10, 50, 100); at each level, after gc(), it
// reports RSS, V8 heap, external / arrayBuffers and its WebAssembly memories. Two heap snapshots
// (at 0 and at 50 PCs, or the highest level below) give the per-PC growth by constructor and the
// owners of the ArrayBuffer bytes. Cardea only; no Janus, no network namespace.
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GATEWAY_NODE_FLAGS } from '@cardea/app';
import type { Scenario, ScenarioOptions, ScenarioResult } from '../BenchTypes.ts';
import type { CampaignContext } from '../campaign/CampaignTypes.ts';
import { ChildGateway } from '../gateway/ChildGateway.ts';
import { JanusWsClient } from '../load/JanusWsClient.ts';
import { LoadGenerator, type LeanPeer } from '../load/LoadGenerator.ts';
import { growth, summarizeHeapSnapshot, type Growth, type HeapSummary } from '../memory/heapSnapshotSummary.ts';
import type { ProbeReply, ProbeRequest, ProbeSample, ProbeWindow } from '../memory/MemoryProbeTypes.ts';
import { formatTable } from '../report/table.ts';
import { echotestPlan } from './echotest.ts';

const mib = (bytes: number): number => Math.round((bytes / 1048576) * 10) / 10;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The probe child and a request/reply call over its IPC channel. */
class Probe {
  readonly #child: ChildGateway;
  readonly #process: ReturnType<typeof fork>;
  readonly #pending = new Map<number, (reply: ProbeReply) => void>();
  #next = 0;

  private constructor(child: ReturnType<typeof fork>) {
    this.#process = child;
    this.#child = new ChildGateway(child, 'the memory probe gateway');
    child.on('message', (raw) => {
      const reply = raw as ProbeReply;
      if (reply.type === 'ready') return;
      this.#pending.get(reply.id)?.(reply);
      this.#pending.delete(reply.id);
    });
  }

  static async start(): Promise<{ probe: Probe; wsUrl: string }> {
    const entry = fileURLToPath(new URL('../memory/memoryProbe.ts', import.meta.url));
    // The gateway's own flags (as `npm start`), then CARDEA_BENCH_NODE_FLAGS to compare V8 settings
    // (a later flag wins, e.g. --max-semi-space-size=16 for Node's default).
    const flags = (process.env.CARDEA_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
    const child = fork(entry, ['127.0.0.1'], {
      execArgv: ['--expose-gc', ...GATEWAY_NODE_FLAGS, ...flags],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const probe = new Probe(child);
    const wsUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`memory probe did not start: ${probe.#child.outputTail()}`)), 30_000);
      child.on('message', (raw) => {
        const reply = raw as ProbeReply;
        if (reply.type === 'ready') {
          clearTimeout(timer);
          resolve(reply.wsUrl);
        }
      });
      child.once('exit', () => reject(new Error(`memory probe exited: ${probe.#child.outputTail()}`)));
    });
    return { probe, wsUrl };
  }

  #call(request: ProbeRequest): Promise<ProbeReply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`memory probe: no reply to ${request.type}`)), 120_000);
      this.#pending.set(request.id, (reply) => {
        clearTimeout(timer);
        if (reply.type === 'error') reject(new Error(`memory probe: ${reply.message}`));
        else resolve(reply);
      });
      this.#process.send(request);
    });
  }

  async sample(): Promise<ProbeSample> {
    const reply = await this.#call({ type: 'sample', id: this.#next++ });
    if (reply.type !== 'sample') throw new Error('memory probe: unexpected reply');
    return reply.sample;
  }

  /** CPU and GC of the gateway over the next `ms`. */
  async window(ms: number): Promise<ProbeWindow> {
    const reply = await this.#call({ type: 'window', id: this.#next++, ms });
    if (reply.type !== 'window') throw new Error('memory probe: unexpected reply');
    return reply.window;
  }

  async snapshot(file: string): Promise<string> {
    const reply = await this.#call({ type: 'snapshot', id: this.#next++, file });
    if (reply.type !== 'snapshot') throw new Error('memory probe: unexpected reply');
    return reply.file;
  }

  async close(): Promise<void> {
    if (this.#process.connected) this.#process.send({ type: 'stop', id: this.#next++ } satisfies ProbeRequest);
    await Promise.race([new Promise((resolve) => this.#process.once('disconnect', resolve)), sleep(5000)]);
    await this.#child.stop();
  }
}

/** One measured level. */
interface MemoryLevel {
  peers: number;
  sample: ProbeSample;
  /** CPU and GC over the 2 s of media before the sample. */
  window: ProbeWindow;
}

/** Levels of a run: 0, 1, 10, 50, 100 (quick: 0, 1, 2, 5), capped by --max; 1 shows what the first PC loads. */
export function memoryLevels(options: Pick<ScenarioOptions, 'max' | 'quick'>): number[] {
  const levels = options.quick ? [0, 1, 2, 5] : [0, 1, 10, 50, 100];
  const max = options.max ?? levels[levels.length - 1] ?? 0;
  const kept = levels.filter((n) => n <= max);
  if (!kept.includes(max)) kept.push(max);
  return kept;
}

/** Joins echo sessions until `peers` holds `count` PeerConnections. */
async function joinUntil(ctx: CampaignContext, peers: LeanPeer[], count: number, label: (n: number) => void): Promise<void> {
  const plan = echotestPlan({ quick: true });
  while (peers.length < count) {
    label(peers.length + 1);
    const joined = await plan.join(ctx, peers.length);
    peers.push(...joined.peers);
  }
}

/**
 * One gateway child with a load generator: `onLevel(level, probe, window)` runs once `level` PCs
 * are up and media has flowed for 2 s (`window`: the gateway's CPU and GC over those 2 s). Everything is closed at the end.
 */
async function withGateway(
  levels: number[],
  onLevel: (level: number, probe: Probe, window: ProbeWindow) => Promise<void>,
  progress: (label: string) => void,
): Promise<void> {
  const { probe, wsUrl } = await Probe.start();
  const generator = new LoadGenerator({ iceIp: '127.0.0.1' });
  const peers: LeanPeer[] = [];
  let client: JanusWsClient | undefined;
  try {
    client = await JanusWsClient.connect(wsUrl);
    const ws = client;
    // joinEcho uses only these members of the campaign context; the gateway is the probe. The
    // connect timeout is generous: a busy machine slows DTLS, and memory does not depend on it.
    const ctx = { client: ws, generator, connectTimeoutMs: 30_000, createSession: () => ws.createSession() } as Omit<
      CampaignContext,
      'gateway'
    > as CampaignContext;
    await sleep(1000); // let start-up work (timers, lazy compilation) settle before the idle sample
    for (const level of levels) {
      await joinUntil(ctx, peers, level, (n) => progress(`joining echo session ${n}/${level}`));
      // 2 s of media (NACK, RTCP and stats state filled), its CPU and GC measured by the gateway.
      const window = await probe.window(2000);
      await onLevel(level, probe, window);
    }
  } finally {
    await generator.close();
    client?.close();
    await probe.close();
  }
}

async function run(options: ScenarioOptions): Promise<ScenarioResult> {
  const levels = memoryLevels(options);
  const snapshotAt = [0, Math.max(...levels.filter((n) => n <= 50))];
  const onProgress = options.onProgress ?? (() => undefined);
  const last = levels.at(-1) ?? 1;
  // Pass 1: samples only. Pass 2, in a fresh gateway: heap snapshots, whose writer mallocs about
  // 3× the heap and leaves glibc's heap that much larger, which would pollute later samples.
  const measured: MemoryLevel[] = [];
  await withGateway(
    levels,
    async (level, probe, window) => {
      measured.push({ peers: level, sample: await probe.sample(), window });
    },
    (label) => onProgress((0.7 * (measured.length + 1)) / levels.length, label),
  );
  const snapshots = new Map<number, HeapSummary>();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cardea-memory-'));
  try {
    await withGateway(
      snapshotAt,
      async (level, probe) => {
        onProgress(0.7 + (0.3 * level) / last, `heap snapshot at ${level} PCs`);
        const file = await probe.snapshot(path.join(dir, `memory-${level}.heapsnapshot`));
        snapshots.set(level, await summarizeHeapSnapshot(file));
        await rm(file, { force: true });
      },
      (label) => onProgress(0.7 + 0.15 * (snapshots.size / 2), `snapshot pass: ${label}`),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return report(measured, snapshots, snapshotAt);
}

function report(measured: MemoryLevel[], snapshots: Map<number, HeapSummary>, snapshotAt: number[]): ScenarioResult {
  const idle = measured[0]?.sample;
  const rows = measured.map(({ peers, sample, window }) => {
    const perPc = (field: 'rssRunning' | 'rss' | 'heapUsed' | 'external' | 'arrayBuffers'): string =>
      peers > 0 && idle ? ((sample[field] - idle[field]) / 1048576 / peers).toFixed(2) : '';
    return [
      String(peers),
      mib(sample.rssRunning).toFixed(1),
      mib(sample.rss).toFixed(1),
      mib(sample.heapUsed).toFixed(1),
      mib(sample.external).toFixed(1),
      mib(sample.arrayBuffers).toFixed(1),
      mib(sample.wasmMemories.reduce((a, b) => a + b, 0)).toFixed(1),
      perPc('rssRunning'),
      perPc('rss'),
      perPc('heapUsed'),
      perPc('arrayBuffers'),
      `${Math.round(window.cpu * 100)}%`,
      window.scavengesPerSecond.toFixed(1),
      (window.scavengeMsPerSecond + window.otherGcMsPerSecond).toFixed(1),
    ];
  });
  const [from, to] = snapshotAt as [number, number];
  const before = snapshots.get(from);
  const after = snapshots.get(to);
  const pcs = to - from;
  const perPc = (g: Growth): string[] => [g.key, (g.count / pcs).toFixed(1), (g.bytes / 1024 / pcs).toFixed(1)];
  const classes = before && after && pcs > 0 ? growth(before.byClass, after.byClass, 25) : [];
  const owners = before && after && pcs > 0 ? growth(before.arrayBuffersByOwner, after.arrayBuffersByOwner, 15) : [];
  const packages = Object.entries(idle?.modulesByPackage ?? {}).sort((a, b) => b[1] - a[1]);
  const summary = [
    'memory (MiB; per PC = growth over the idle level / PCs; RSS run: after gc(), RSS kept: after last-resort gc() that',
    'shrinks the young generation; the rest after it); CPU and GC over the 2 s of media before the sample',
    formatTable([
      [
        'PCs',
        'RSS run',
        'RSS kept',
        'heap used',
        'external',
        'arrayBuffers',
        'wasm',
        'run/PC',
        'kept/PC',
        'heap/PC',
        'AB/PC',
        'CPU',
        'scav/s',
        'GC ms/s',
      ],
      ...rows,
    ]),
    '',
    `idle: ${idle?.modules ?? 0} modules loaded; WebAssembly memories ${idle?.wasmMemories.map((b) => `${mib(b)} MiB`).join(', ') || 'none'}; at ${measured.at(-1)?.peers ?? 0} PCs: ${
      measured
        .at(-1)
        ?.sample.wasmMemories.map((b) => `${mib(b)} MiB`)
        .join(', ') || 'none'
    }`,
    ...measured.map(
      ({ peers, sample }) =>
        `resident at ${peers} PCs (${sample.modules} modules, V8 malloc ${mib(sample.mallocedMemory)} peak ${mib(sample.peakMallocedMemory)}): ${Object.entries(
          sample.residentByMapping,
        )
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => `${k} ${mib(v)}`)
          .join(', ')}`,
    ),
    `modules by package: ${packages
      .slice(0, 12)
      .map(([p, n]) => `${p} ${n}`)
      .join(', ')}`,
    '',
    `heap snapshot growth ${from} → ${to} PCs, per PC (objects, KiB shallow):`,
    formatTable([['constructor', 'objects/PC', 'KiB/PC'], ...classes.map(perPc)]),
    '',
    'ArrayBuffer backing stores by owner, per PC:',
    formatTable([['owner.field', 'buffers/PC', 'KiB/PC'], ...owners.map(perPc)]),
  ].join('\n');
  return {
    scenario: 'memory',
    gateway: 'cardea',
    summary,
    data: {
      levels: measured,
      snapshots: {
        from,
        to,
        classes,
        arrayBufferOwners: owners,
        totalBytes: { from: before?.totalBytes ?? null, to: after?.totalBytes ?? null },
      },
    },
  };
}

/** The `memory` scenario of `npm run bench`. */
export const memory: Scenario = {
  description: 'Memory per PeerConnection and idle: RSS, heap, ArrayBuffers, WASM at 0/10/50/100 echo PCs, heap snapshot growth',
  run,
};
