// The gateway side of `npm run bench -- memory`: a Cardea gateway in a child process started with
// `--expose-gc`, answering the bench over the fork IPC channel with what process.memoryUsage() alone
// cannot say: the WebAssembly memories alive, the modules loaded, and heap snapshots on request.
// A child (not the bench process) so that the load generator's own werift peers are not measured.
import { readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { getHeapStatistics, writeHeapSnapshot } from 'node:v8';
import type { ProbeReply, ProbeRequest, ProbeSample, ProbeWindow } from './MemoryProbeTypes.ts';

/** Every module URL loaded after this point (the gateway's whole import graph). */
const loadedModules: string[] = [];
registerHooks({
  load(url, context, nextLoad) {
    loadedModules.push(url);
    return nextLoad(url, context);
  },
});

// Every WebAssembly memory the gateway creates or instantiates, held weakly so measuring does not
// keep one alive. Wrapped before the gateway's modules are imported. The WebAssembly global is
// typed locally: TypeScript's ES libraries do not declare it (only the DOM library does).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
type Ctor<T> = new (...args: never[]) => T;
interface WasmApi {
  Memory: Ctor<WasmMemory>;
  Instance: Ctor<WasmInstance>;
  instantiate(...args: unknown[]): Promise<unknown>;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
const memories: WeakRef<WasmMemory>[] = [];
const seen = new WeakSet<WasmMemory>();
const remember = (memory: WasmMemory): void => {
  if (seen.has(memory)) return;
  seen.add(memory);
  memories.push(new WeakRef(memory));
};
const NativeInstance = wasmApi.Instance;
const NativeMemory = wasmApi.Memory;
const track = (instance: WasmInstance): void => {
  for (const value of Object.values(instance.exports)) if (value instanceof NativeMemory) remember(value);
};
wasmApi.Instance = class extends NativeInstance {
  constructor(...args: never[]) {
    super(...args);
    track(this);
  }
};
wasmApi.Memory = class extends NativeMemory {
  constructor(...args: never[]) {
    super(...args);
    remember(this);
  }
};
const nativeInstantiate = wasmApi.instantiate.bind(wasmApi);
wasmApi.instantiate = async (...args: unknown[]) => {
  const result = await nativeInstantiate(...args);
  track(result instanceof NativeInstance ? result : (result as { instance: WasmInstance }).instance);
  return result;
};

/** The --expose-gc function; `flavor: 'last-resort'` also shrinks the young generation and frees pooled pages. */
const gc = (globalThis as { gc?: (options?: { type: 'major'; execution: 'sync'; flavor: 'regular' | 'last-resort' }) => void }).gc;
if (!gc) throw new Error('memoryProbe: run with --expose-gc');

const { Gateway, parseConfig } = await import('@cardea/core');
const { pino } = await import('pino');
const { builtinPlugins } = await import('@cardea/app');
const iceIp = process.argv[2] ?? '127.0.0.1';
const config = parseConfig({
  general: { logLevel: 'silent', adminSecret: 'memory-probe' },
  webrtc: { iceIp: [iceIp] },
  transports: { websocket: { port: 0 }, http: { port: 0 }, admin: { port: 0 } },
});
const gateway = await Gateway.start({ config, log: pino({ level: 'silent' }), plugins: builtinPlugins });

/** Garbage collections so far: young generation (scavenges) and the rest, count and total ms. */
const gcTotals = { scavenges: 0, scavengeMs: 0, other: 0, otherMs: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
      gcTotals.scavenges++;
      gcTotals.scavengeMs += entry.duration;
    } else {
      gcTotals.other++;
      gcTotals.otherMs += entry.duration;
    }
  }
}).observe({ entryTypes: ['gc'] });

/** CPU and GC over `ms` of whatever the gateway is doing (media, for the bench). */
async function window(ms: number): Promise<ProbeWindow> {
  const gc0 = { ...gcTotals };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  await nextTurn(); // the observer's last entries
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return {
    cpu: (cpu.user + cpu.system) / 1e6 / seconds,
    scavengesPerSecond: (gcTotals.scavenges - gc0.scavenges) / seconds,
    scavengeMsPerSecond: (gcTotals.scavengeMs - gc0.scavengeMs) / seconds,
    otherGcPerSecond: (gcTotals.other - gc0.other) / seconds,
    otherGcMsPerSecond: (gcTotals.otherMs - gc0.otherMs) / seconds,
  };
}

function send(reply: ProbeReply): void {
  process.send?.(reply);
}

/**
 * Resident bytes per kind of mapping, from /proc/self/smaps. A WebAssembly memory is a reservation
 * of several GiB (bounds checks by guard pages) whose accessible part is its own mapping, exactly
 * as long as the memory: told apart by that length (`wasmLengths`). `[heap]` is the C heap (malloc:
 * OpenSSL, libuv, Node's datagram buffers); the other anonymous mappings are mostly V8's heap, and
 * file mappings are code.
 */
function residentByMapping(wasmLengths: readonly number[]): Record<string, number> {
  let text: string;
  try {
    text = readFileSync('/proc/self/smaps', 'utf8');
  } catch (_error) {
    return {}; // no procfs: the sample goes without the breakdown
  }
  const out: Record<string, number> = {};
  let kind = 'other';
  for (const line of text.split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head) {
      const size = Number(BigInt(`0x${head[2]}`) - BigInt(`0x${head[1]}`));
      const name = head[3] ?? '';
      if (name === '') kind = wasmLengths.includes(size) ? 'wasm memory' : size >= 2 ** 26 ? 'anon ≥64 MiB' : 'anon <64 MiB';
      else if (name.startsWith('[')) kind = name;
      else kind = name.includes('/node') ? 'node binary' : 'other files';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) out[kind] = (out[kind] ?? 0) + Number(rss[1]) * 1024;
  }
  return out;
}

async function sample(): Promise<ProbeSample> {
  // Several passes with turns between them: FinalizationRegistry callbacks and weak callbacks run
  // between collections, and what they release is only reclaimed by the next one.
  for (let i = 0; i < 4; i++) {
    gc?.();
    await nextTurn();
  }
  const running = process.memoryUsage();
  // Then what V8 can give back: the young generation shrinks to its minimum and pooled pages go.
  // What stays is what the gateway retains; the RSS above is what it sits at while working.
  for (let i = 0; i < 2; i++) {
    gc?.({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    await nextTurn();
  }
  const usage = process.memoryUsage();
  const heap = getHeapStatistics();
  const wasm = memories.map((ref) => ref.deref()?.buffer.byteLength).filter((n): n is number => n !== undefined);
  const byPackage: Record<string, number> = {};
  for (const url of loadedModules) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    const key = m?.[1] ?? (url.startsWith('node:') ? 'node:' : 'cardea');
    byPackage[key] = (byPackage[key] ?? 0) + 1;
  }
  return {
    rssRunning: running.rss,
    heapTotalRunning: running.heapTotal,
    rss: usage.rss,
    heapTotal: usage.heapTotal,
    heapUsed: usage.heapUsed,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
    mallocedMemory: heap.malloced_memory,
    peakMallocedMemory: heap.peak_malloced_memory,
    wasmMemories: wasm,
    sessions: gateway.api.sessions.size,
    residentByMapping: residentByMapping(wasm),
    threads: Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0),
    modules: loadedModules.length,
    modulesByPackage: byPackage,
  };
}

process.on('message', (raw) => {
  const request = raw as ProbeRequest;
  void (async () => {
    try {
      if (request.type === 'sample') send({ type: 'sample', id: request.id, sample: await sample() });
      else if (request.type === 'window') send({ type: 'window', id: request.id, window: await window(request.ms) });
      else if (request.type === 'snapshot') {
        await sample(); // collect first, as the samples do
        send({ type: 'snapshot', id: request.id, file: writeHeapSnapshot(request.file) });
      } else if (request.type === 'stop') {
        await gateway.close();
        process.disconnect();
      }
    } catch (error) {
      send({ type: 'error', id: request.id, message: error instanceof Error ? error.message : String(error) });
    }
  })();
});
send({ type: 'ready', wsUrl: `ws://127.0.0.1:${gateway.ports.websocket}/` });
