// SRTP fan-out CPU cost (issue #3): µs of CPU per forwarded packet for the WASM engine and the
// node:crypto baseline, next to the loopback sendto floor measured in the same run.
//
// All in this process: for each engine × profile × packet size {100, 1200} × subscribers K
// {1, 10, 100}, one plaintext RTP packet is copied into the engine's input, fanned out to K egress
// streams, and each copy is sent with dgram to a loopback socket owned by a child process (so the
// receive side's CPU is not counted). "kernel" is the same loop without the sends. The floor is the
// same socket sending a preallocated packet of the same size. CPU is process.cpuUsage() (user +
// system, all threads) over a window, divided by the copies made. Sends are unconnected
// (`send(buf, off, len, port, ip)`), as on werift's socket: dgram defers them to process.nextTick,
// so the loop yields every few fan-outs, within the engine's arena ring.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { createSrtpFanout } from '../../../core/src/media/srtp/createSrtpFanout.ts';
import type { SrtpEngineKind, SrtpFanout } from '../../../core/src/media/srtp/SrtpFanoutTypes.ts';
import type { Scenario, ScenarioOptions, ScenarioResult } from '../BenchTypes.ts';
import { formatTable } from '../report/table.ts';
import { coreCount, pinProcess } from '../system/cpuAffinity.ts';

/**
 * What is measured: the two config engines with their defaults, plus the WASM engine with AES kept
 * in WASM at every size (`nativeAesMinBytes: Infinity`), to show what the split buys.
 */
const variants: readonly { name: string; engine: SrtpEngineKind; nativeAesMinBytes?: number }[] = [
  { name: 'wasm', engine: 'wasm' },
  { name: 'wasm-pure', engine: 'wasm', nativeAesMinBytes: Number.POSITIVE_INFINITY },
  { name: 'node', engine: 'node' },
];
const packetSizes = [100, 1200] as const;
const subscriberCounts = [1, 10, 100] as const;
/** SRTP profiles measured: AES-CM + HMAC-SHA1-80 always, AEAD_AES_128_GCM in full runs. */
const profileIds = { cm: 1, gcm: 7 } as const;
type ProfileName = keyof typeof profileIds;
/** The issue's goal: whole path ≤ 2× the sendto floor per forwarded packet. */
const goalRatio = 2;
const maxSubscribers = 100;
const arenaSlots = 8 * maxSubscribers;
const loopback = '127.0.0.1';

/** One measured case. */
export type FanoutCase = {
  /** 'wasm' and 'node': the config engines with defaults; 'wasm-pure': WASM with AES in WASM at every size. */
  engine: string;
  profile: ProfileName;
  packetBytes: number;
  subscribers: number;
  /** CPU µs per copy for fan-out alone (copy-in, rewrite, protect), no send. */
  kernelUsPerPacket: number;
  /** CPU µs per copy for fan-out + dgram.send of each copy: the number to compare with the floor. */
  pathUsPerPacket: number;
  /** The floor for this packet size, from the same run. */
  floorUsPerPacket: number;
  pathToFloor: number;
  kernelToFloor: number;
  /** Whether pathToFloor ≤ goalRatio. */
  meetsGoal: boolean;
};

/** `result` of a fanout report. */
export type FanoutData = {
  goalRatio: number;
  /** Loopback sendto floor per packet size: CPU µs per dgram.send of a preallocated packet. */
  floorUsPerPacket: Record<string, number>;
  cases: FanoutCase[];
  windowMs: number;
  /** Each number is the median of this many windows. */
  repetitions: number;
  /** Core this process was pinned to, and the receiver's (null: not pinned). */
  benchCore: number | null;
  receiverCore: number | null;
  /** dgram 'error' events (e.g. ENOBUFS) during the run; non-zero means sends were lost. */
  sendErrors: number;
};

/** A child process that owns the receiving socket and discards what arrives. */
async function startReceiver(): Promise<{ port: number; child: ChildProcess }> {
  const code = `
    const s = require('node:dgram').createSocket({ type: 'udp4', recvBufferSize: 8 << 20 });
    s.on('message', () => {});
    s.bind(0, '${loopback}', () => console.log(s.address().port));
    process.stdin.on('end', () => process.exit(0)).resume();`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['pipe', 'pipe', 'inherit'] });
  if (!child.stdout) throw new Error('receiver child has no stdout');
  const lines = createInterface({ input: child.stdout });
  const [line] = (await once(lines, 'line')) as [string];
  lines.close();
  return { port: Number(line), child };
}

/** CPU µs per unit: runs `batch` (returns units done) until `windowMs` elapses, yielding between batches. */
async function cpuPerUnit(batch: () => number, windowMs: number): Promise<number> {
  let units = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  while (performance.now() - started < windowMs) {
    units += batch();
    await nextMacrotask(); // lets dgram's deferred sends run before the arena slots come round again
  }
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / units;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** An RTP packet of `bytes` bytes (12-byte header, PT 96). */
function rtpPacket(bytes: number): Buffer {
  const p = Buffer.alloc(bytes, 0x5a);
  p[0] = 0x80;
  p[1] = 96;
  p.writeUInt32BE(0x1234, 8);
  return p;
}

/** An engine with `maxSubscribers` egress streams of one profile, random keys. */
function engineWithSubscribers(variant: (typeof variants)[number], profile: ProfileName): { fanout: SrtpFanout; ids: Uint32Array } {
  const { engine, nativeAesMinBytes } = variant;
  const sizing = { maxSubscribers, arenaSlots, maxStreams: maxSubscribers };
  const fanout = createSrtpFanout(nativeAesMinBytes === undefined ? { engine, ...sizing } : { engine, nativeAesMinBytes, ...sizing });
  const ids = new Uint32Array(maxSubscribers);
  const saltBytes = profile === 'gcm' ? 12 : 14;
  for (let k = 0; k < maxSubscribers; k++) {
    const key = { profile: profileIds[profile], masterKey: randomBytes(16, k), masterSalt: randomBytes(saltBytes, k + 7) };
    ids[k] = fanout.addEgress(key, { ssrc: 0x1000 + k, payloadType: 111 });
  }
  return { fanout, ids };
}

/** Deterministic key bytes (the bench needs distinct keys, not secret ones). */
function randomBytes(n: number, seed: number): Buffer {
  return Buffer.from(Array.from({ length: n }, (_, i) => (seed * 131 + i * 29 + 17) & 0xff));
}

interface Measurer {
  floor(bytes: number): Promise<number>;
  fanout(fanout: SrtpFanout, ids: Uint32Array, bytes: number, k: number, send: boolean): Promise<number>;
  errors(): number;
  close(): Promise<void>;
}

async function createMeasurer(windowMs: number): Promise<Measurer & { receiverPinned: boolean }> {
  const receiver = await startReceiver();
  const receiverPinned = receiver.child.pid !== undefined && coreCount() >= 2 && pinProcess(receiver.child.pid, 1) !== undefined;
  const socket = dgram.createSocket({ type: 'udp4', sendBufferSize: 8 << 20 });
  let errors = 0;
  socket.on('error', () => errors++);
  await new Promise<void>((resolve) => socket.bind(0, loopback, resolve));
  const port = receiver.port;
  // One sequence number across all windows: every egress stream sees a rising sequence, as in a
  // real call (restarting it per window would look like reordering to the ROC and keystream caches).
  let seq = 0;
  return {
    receiverPinned,
    async floor(bytes) {
      const packet = rtpPacket(bytes);
      const perBatch = 64;
      return cpuPerUnit(() => {
        for (let i = 0; i < perBatch; i++) socket.send(packet, 0, bytes, port, loopback);
        return perBatch;
      }, windowMs);
    },
    async fanout(fanout, ids, bytes, k, send) {
      const packet = rtpPacket(bytes);
      const input = fanout.input;
      const arena = fanout.arena;
      const offsets = fanout.outOffsets;
      const lengths = fanout.outLengths;
      // Fan-outs per yield: the arena ring keeps a copy intact for arenaSlots − K later copies.
      const calls = Math.max(1, Math.min(64, Math.floor(arenaSlots / k) - 1));
      return cpuPerUnit(() => {
        let copies = 0;
        for (let c = 0; c < calls; c++) {
          input.set(packet);
          input[2] = (seq >>> 8) & 0xff;
          input[3] = seq & 0xff;
          seq = (seq + 1) & 0xffff;
          const n = fanout.fanout(bytes, ids, k);
          if (send) for (let i = 0; i < n; i++) socket.send(arena, offsets[i] ?? 0, lengths[i] ?? 0, port, loopback);
          copies += n;
        }
        return copies;
      }, windowMs);
    },
    errors: () => errors,
    async close() {
      await new Promise<void>((resolve) => socket.close(resolve));
      receiver.child.stdin?.end();
      if (receiver.child.exitCode === null) await once(receiver.child, 'exit');
    },
  };
}

/** Runs the whole measurement; the registry entry below wraps it as a Scenario. */
export async function measureFanout(options: Pick<ScenarioOptions, 'quick' | 'onProgress'>): Promise<FanoutData> {
  const windowMs = options.quick ? 15 : 300;
  const repetitions = options.quick ? 1 : 3;
  const profiles: ProfileName[] = options.quick ? ['cm'] : ['cm', 'gcm'];
  const pinned = coreCount() >= 2 ? pinProcess(process.pid, 0) : undefined;
  const measurer = await createMeasurer(windowMs);
  const steps = 1 + variants.length * profiles.length;
  let step = 0;
  const progress = (label: string) => options.onProgress?.(Math.min(1, step++ / steps), label);
  try {
    progress('warm-up and floor');
    const floor: Record<string, number> = {};
    for (const bytes of packetSizes) {
      await measurer.floor(bytes); // warm-up: JIT, socket buffers
      const runs = [];
      for (let r = 0; r < repetitions; r++) runs.push(await measurer.floor(bytes));
      floor[bytes] = median(runs);
    }
    const cases: FanoutCase[] = [];
    for (const variant of variants) {
      for (const profile of profiles) {
        progress(`${variant.name} ${profile}`);
        const { fanout, ids } = engineWithSubscribers(variant, profile);
        for (const bytes of packetSizes) {
          for (const k of subscriberCounts) {
            await measurer.fanout(fanout, ids, bytes, k, true); // warm-up
            const kernel = [];
            const path = [];
            for (let r = 0; r < repetitions; r++) {
              kernel.push(await measurer.fanout(fanout, ids, bytes, k, false));
              path.push(await measurer.fanout(fanout, ids, bytes, k, true));
            }
            const floorUs = floor[bytes] ?? Number.NaN;
            const pathUs = median(path);
            const kernelUs = median(kernel);
            cases.push({
              engine: variant.name,
              profile,
              packetBytes: bytes,
              subscribers: k,
              kernelUsPerPacket: round(kernelUs),
              pathUsPerPacket: round(pathUs),
              floorUsPerPacket: round(floorUs),
              pathToFloor: round(pathUs / floorUs),
              kernelToFloor: round(kernelUs / floorUs),
              meetsGoal: pathUs / floorUs <= goalRatio,
            });
          }
        }
      }
    }
    options.onProgress?.(1, 'done');
    const floorRounded = Object.fromEntries(Object.entries(floor).map(([k, v]) => [k, round(v)]));
    return {
      goalRatio,
      floorUsPerPacket: floorRounded,
      cases,
      windowMs,
      repetitions,
      benchCore: pinned ? 0 : null,
      receiverCore: measurer.receiverPinned ? 1 : null,
      sendErrors: measurer.errors(),
    };
  } finally {
    await measurer.close();
    pinned?.();
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** The human summary: one row per case, ratios to the floor. */
export function formatFanout(data: FanoutData): string {
  const rows = [['engine', 'profile', 'bytes', 'K', 'kernel µs', 'path µs', 'floor µs', 'path/floor', `≤${data.goalRatio}×`]];
  for (const c of data.cases) {
    rows.push([
      c.engine,
      c.profile,
      String(c.packetBytes),
      String(c.subscribers),
      c.kernelUsPerPacket.toFixed(2),
      c.pathUsPerPacket.toFixed(2),
      c.floorUsPerPacket.toFixed(2),
      c.pathToFloor.toFixed(2),
      c.meetsGoal ? 'yes' : 'no',
    ]);
  }
  const floors = Object.entries(data.floorUsPerPacket)
    .map(([bytes, us]) => `${bytes} B ${us.toFixed(2)} µs`)
    .join(', ');
  return (
    `fanout: CPU µs per forwarded packet (median of ${data.repetitions} × ${data.windowMs} ms windows)\n` +
    `loopback sendto floor: ${floors}${data.sendErrors > 0 ? `; ${data.sendErrors} send errors` : ''}\n\n` +
    formatTable(rows)
  );
}

export const fanout: Scenario = {
  description: 'SRTP fan-out engines (wasm, node:crypto): CPU µs per forwarded packet vs the loopback sendto floor',
  async run(options: ScenarioOptions): Promise<ScenarioResult> {
    const data = await measureFanout(options);
    return { scenario: 'fanout', gateway: options.gateway, summary: formatFanout(data), data };
  },
};
