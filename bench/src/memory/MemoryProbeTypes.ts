// The IPC messages between the memory scenario (bench process) and memoryProbe.ts (gateway child).

/**
 * What the gateway reports after collecting garbage. Bytes unless said otherwise. `*Running`: after
 * ordinary full collections, V8's young generation still at its working size (what the process
 * sits at); the rest: after `last-resort` collections that shrink it (what the gateway retains,
 * much less noisy between runs).
 */
export interface ProbeSample {
  rssRunning: number;
  heapTotalRunning: number;
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** V8's malloc'ed memory (zone allocations, compiler). */
  mallocedMemory: number;
  /** The most V8 has had malloc'ed at once (a transient peak glibc may keep resident). */
  peakMallocedMemory: number;
  /** Byte length of every live WebAssembly.Memory the gateway made (SRTP engine, mixer, Opus, sandboxes in this thread). */
  wasmMemories: number[];
  /** Resident bytes per kind of mapping (/proc/self/smaps; empty without procfs). */
  residentByMapping: Record<string, number>;
  /** Threads of the gateway process (V8 platform, libuv pool, workers; 0 without procfs). */
  threads: number;
  /** Janus sessions alive in the gateway. */
  sessions: number;
  /** Modules loaded (ESM + CommonJS through the module loader) and their count per package. */
  modules: number;
  modulesByPackage: Record<string, number>;
}

/** Bench → probe. */
export type ProbeRequest =
  | { type: 'sample'; id: number }
  | { type: 'window'; id: number; ms: number }
  | { type: 'snapshot'; id: number; file: string }
  | { type: 'stop'; id: number };

/** What the gateway spent over a window of media (no forced gc() inside it). */
export interface ProbeWindow {
  /** User + system CPU over the window, as a fraction of one core. */
  cpu: number;
  /** Young-generation collections (scavenges) per second, and their total pause in ms per second. */
  scavengesPerSecond: number;
  scavengeMsPerSecond: number;
  /** Every other collection (mark-compact, incremental marking steps), same units. */
  otherGcPerSecond: number;
  otherGcMsPerSecond: number;
}

/** Probe → bench. */
export type ProbeReply =
  | { type: 'ready'; wsUrl: string }
  | { type: 'sample'; id: number; sample: ProbeSample }
  | { type: 'window'; id: number; window: ProbeWindow }
  | { type: 'snapshot'; id: number; file: string }
  | { type: 'error'; id: number; message: string };
