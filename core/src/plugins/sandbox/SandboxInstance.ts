import {
  newQuickJSWASMModuleFromVariant,
  newVariant,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSRuntime,
  type QuickJSSyncVariant,
  type CustomizeVariantOptions,
} from 'quickjs-emscripten-core';
import releaseSync from '@jitl/quickjs-wasmfile-release-sync';
import type { Json, LogLevel } from '@cardea/plugin-sdk';
import { BRIDGE_SOURCE } from './sandboxBridge.ts';
import { SDK_MODULE_NAME } from './sdkModule.ts';
import type { FaultKind, FromWorker, SandboxErrorInfo, SandboxIdentity, SandboxLimits, SandboxMethod } from './SandboxProtocol.ts';
import { wasm, type WasmModule } from './webAssembly.ts';

/** The sync release build (its types describe the CommonJS entry; the ESM default is the variant itself). */
const variant = releaseSync as unknown as QuickJSSyncVariant;

/** WebAssembly pages of 64 KiB; the QuickJS build declares 256 (16 MiB) as its initial memory. */
const PAGE = 64 * 1024;
const INITIAL_PAGES = 256;
/**
 * QuickJS's own stack limit. In WebAssembly it measures the shadow stack, which grows about 6x
 * slower than the worker's native stack, so 256 KiB (about 1,500 frames) keeps QuickJS's
 * catchable "stack overflow" well ahead of a native RangeError (measured: 9,600 frames).
 */
const MAX_STACK_BYTES = 256 * 1024;
/** Most timers one instance may hold, and the shortest interval period. */
const MAX_TIMERS = 1000;
const MIN_INTERVAL_MS = 10;
/**
 * Milliseconds the SDK module and the bridge may take to evaluate. Measured on the 2-core machine
 * under load: ~30 ms for the SDK alone, 180–270 ms with zod bundled in; a broken SDK build still
 * fails fast.
 */
const SDK_BOOT_DEADLINE_MS = 3000;
/** Most API calls in flight (sent to the main thread, not yet settled). */
const MAX_IN_FLIGHT = 256;

/** A plugin stopped: the instance is dead and must be dropped. */
export class SandboxFault extends Error {
  override name = 'SandboxFault';
  readonly kind: FaultKind;

  constructor(kind: FaultKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

/** The runner's private entry points into the shim. */
interface ShimInternals {
  bind: QuickJSHandle;
  call: QuickJSHandle;
  settle: QuickJSHandle;
  fire: QuickJSHandle;
  self: QuickJSHandle;
}

/** A token bucket: `rate` per second, bursts of twice that. */
class RateLimit {
  #tokens: number;
  #last = performance.now();
  readonly #rate: number;

  constructor(rate: number) {
    this.#rate = rate;
    this.#tokens = rate * 2;
  }

  take(): boolean {
    const now = performance.now();
    this.#tokens = Math.min(this.#rate * 2, this.#tokens + ((now - this.#last) / 1000) * this.#rate);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/**
 * One plugin version inside the runner worker: its own QuickJS WebAssembly module with a capped
 * `WebAssembly.Memory`, one runtime, one context. Every entry (handler call, API settlement, timer)
 * runs under a deadline enforced by the interrupt handler, then drains the promise jobs under the
 * same deadline. An interrupt, an out-of-memory or a broken module is a fault: the instance reports
 * it and is dropped whole, never disposed (disposing after an interrupt can abort).
 */
export class SandboxInstance {
  readonly id: string;
  readonly #limits: SandboxLimits;
  readonly #post: (message: FromWorker) => void;
  readonly #runtime: QuickJSRuntime;
  readonly #context: QuickJSContext;
  readonly #timers = new Map<number, NodeJS.Timeout>();
  /** Main-thread call ids of handler calls not finished yet. */
  readonly #calls = new Set<number>();
  readonly #callRate: RateLimit;
  readonly #logRate: RateLimit;
  #internals: ShimInternals | undefined;
  /** A fault noticed inside the bridge (an out-of-memory a handler reported); raised when the entry returns. */
  #pendingFault: { kind: FaultKind; message: string } | undefined;
  /** CPU accounting: milliseconds spent inside the sandbox in the current one-second window. */
  #busyMs = 0;
  #windowStart = performance.now();
  #deadline = 0;
  #interrupted = false;
  #inFlight = 0;
  #dead = false;
  #logsDropped = 0;

  private constructor(id: string, runtime: QuickJSRuntime, limits: SandboxLimits, post: (message: FromWorker) => void, sdkSource: string) {
    this.id = id;
    this.#limits = limits;
    this.#post = post;
    this.#runtime = runtime;
    this.#callRate = new RateLimit(limits.maxCallsPerSecond);
    this.#logRate = new RateLimit(limits.maxLogLinesPerSecond);
    runtime.setMaxStackSize(MAX_STACK_BYTES);
    runtime.setInterruptHandler(() => {
      if (performance.now() <= this.#deadline) return false;
      this.#interrupted = true;
      return true;
    });
    runtime.setModuleLoader((name) =>
      name === SDK_MODULE_NAME ? sdkSource : { error: new Error(`could not load module '${name}'`) },
    );
    this.#context = runtime.newContext();
  }

  /**
   * Instantiates a fresh module, evaluates the SDK module (`sdkSource`, generated from plugin-sdk/src),
   * the bridge and the plugin, and binds the plugin's default export.
   */
  static async create(
    id: string,
    wasmModule: WasmModule,
    sdkSource: string,
    code: string,
    filename: string,
    limits: SandboxLimits,
    post: (message: FromWorker) => void,
  ): Promise<{ instance: SandboxInstance; identity: SandboxIdentity }> {
    const memory = new wasm.Memory({
      initial: INITIAL_PAGES,
      maximum: Math.max(INITIAL_PAGES, Math.floor((limits.memoryMb * 1024 * 1024) / PAGE)),
    });
    // quickjs-emscripten types these with the DOM's WebAssembly declarations; the objects are the real ones.
    const options = { wasmModule, wasmMemory: memory } as unknown as CustomizeVariantOptions;
    const quickjs = await newQuickJSWASMModuleFromVariant(newVariant(variant, options));
    const instance = new SandboxInstance(id, quickjs.newRuntime(), limits, post, sdkSource);
    // The SDK (trusted, the same for every plugin, and as large as what it bundles: zod is ~0.5 MB)
    // is evaluated under a deadline of its own and off the plugin's CPU budget; the plugin's module
    // and its binding run under the plugin's limits.
    const sdk = instance.#enter(() => instance.#bootSdk(sdkSource), { deadlineMs: SDK_BOOT_DEADLINE_MS, trusted: true });
    const identity = instance.#enter(() => instance.#boot(sdk, code, filename));
    return { instance, identity };
  }

  /** QuickJS's own count of the heap in use, in bytes (for measurements). */
  memoryUsedBytes(): number {
    const handle = this.#runtime.computeMemoryUsage();
    try {
      const usage = this.#context.dump(handle) as { memory_used_size?: number };
      return usage.memory_used_size ?? 0;
    } finally {
      handle.dispose();
    }
  }

  get dead(): boolean {
    return this.#dead;
  }

  /** Calls a handler; the answer goes to the main thread as a `reply` with `callId`. */
  call(callId: number, method: SandboxMethod, args: Json[]): void {
    const internals = this.#alive();
    this.#calls.add(callId);
    try {
      this.#enter(() => {
        const ctx = this.#context;
        const handles = [ctx.newNumber(callId), ctx.newString(method), ctx.newString(JSON.stringify(args))];
        try {
          this.#unwrap(ctx.callFunction(internals.call, internals.self, ...handles)).dispose();
        } finally {
          for (const h of handles) h.dispose();
        }
      });
    } catch (error) {
      // A fault already answered every pending call; a plain error answers this one.
      if (error instanceof SandboxCallError && this.#calls.delete(callId))
        this.#post({ type: 'reply', id: callId, ok: false, error: error.info });
      else if (!(error instanceof SandboxFault)) throw error;
    }
  }

  /** Settles an API call the plugin made. */
  settle(callId: number, ok: boolean, value: Json): void {
    if (this.#dead) return;
    const internals = this.#alive();
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    this.#contained(() => {
      const ctx = this.#context;
      const payload = ok ? (value === null ? '' : JSON.stringify(value)) : typeof value === 'string' ? value : JSON.stringify(value);
      const handles = [ctx.newNumber(callId), ok ? ctx.true : ctx.false, ctx.newString(payload)];
      try {
        this.#unwrap(ctx.callFunction(internals.settle, internals.self, ...handles)).dispose();
      } finally {
        handles[0]?.dispose();
        handles[2]?.dispose();
      }
    });
  }

  /** Forgets the instance: timers cleared, references dropped, memory left to the GC. Idempotent. */
  drop(): void {
    if (this.#dead) return;
    this.#dead = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#calls.clear();
    this.#internals = undefined;
  }

  #alive(): ShimInternals {
    if (this.#dead || !this.#internals) throw new SandboxFault('crash', 'plugin instance is stopped');
    return this.#internals;
  }

  /** Evaluates the SDK module and the bridge; returns the bridge's entry points (`self`). */
  #bootSdk(sdkSource: string): QuickJSHandle {
    const ctx = this.#context;
    const bridge = ctx.newFunction('bridge', (op, payload) => {
      const result = this.#bridge(ctx.getString(op), ctx.getString(payload));
      return result === undefined ? undefined : ctx.newString(result);
    });
    // The SDK module is evaluated first under its own name, so the plugin's import of it resolves
    // to this very instance (QuickJS keeps evaluated modules by name), and the bridge reads the
    // contract lists from it before any plugin code runs.
    const sdk = this.#unwrap(ctx.evalCode(sdkSource, SDK_MODULE_NAME, { type: 'module' }));
    const factory = this.#unwrap(ctx.evalCode(BRIDGE_SOURCE, 'cardea-bridge.js'));
    const self = this.#unwrap(ctx.callFunction(factory, ctx.undefined, bridge, sdk));
    factory.dispose();
    bridge.dispose();
    sdk.dispose();
    return self;
  }

  #boot(self: QuickJSHandle, code: string, filename: string): SandboxIdentity {
    const ctx = this.#context;
    const namespace = this.#unwrap(ctx.evalCode(code, filename, { type: 'module' }));
    const definition = ctx.getProp(namespace, 'default');
    namespace.dispose();
    const bind = ctx.getProp(self, 'bind');
    const identityJson = this.#unwrap(ctx.callFunction(bind, self, definition));
    definition.dispose();
    const identity = JSON.parse(ctx.getString(identityJson)) as SandboxIdentity;
    identityJson.dispose();
    this.#internals = { bind, call: ctx.getProp(self, 'call'), settle: ctx.getProp(self, 'settle'), fire: ctx.getProp(self, 'fire'), self };
    return identity;
  }

  /**
   * Runs one entry under the deadline, then the promise jobs it queued. A plugin error thrown
   * synchronously here (outside a handler) surfaces as a SandboxCallError; interrupts, OOM and
   * module failures become faults.
   */
  #enter<T>(work: () => T, options: { deadlineMs?: number; trusted?: boolean } = {}): T {
    if (this.#dead) throw new SandboxFault('crash', 'plugin instance is stopped');
    const started = performance.now();
    const deadlineMs = options.deadlineMs ?? this.#limits.deadlineMs;
    this.#deadline = started + deadlineMs;
    this.#interrupted = false;
    let result: T;
    try {
      result = work();
      const jobs = this.#runtime.executePendingJobs();
      if (jobs.error) {
        const info = this.#dumpError(jobs.error);
        jobs.error.dispose();
        throw new SandboxCallError(info);
      }
    } catch (error) {
      throw this.#classify(error);
    } finally {
      this.#deadline = 0;
    }
    if (this.#interrupted) throw this.#fault('cpu', `deadline of ${deadlineMs} ms exceeded`);
    if (this.#pendingFault) throw this.#fault(this.#pendingFault.kind, this.#pendingFault.message);
    if (!options.trusted) this.#account(started);
    return result;
  }

  /** Many short entries can hog the worker as surely as one long one: cap the busy time per second. */
  #account(started: number): void {
    const now = performance.now();
    if (now - this.#windowStart >= 1000) {
      this.#windowStart = now;
      this.#busyMs = 0;
    }
    this.#busyMs += now - started;
    if (this.#busyMs > this.#limits.cpuMsPerSecond)
      throw this.#fault('cpu', `CPU budget of ${this.#limits.cpuMsPerSecond} ms per second exceeded`);
  }

  #classify(error: unknown): Error {
    if (error instanceof SandboxFault) return error;
    if (this.#interrupted) return this.#fault('cpu', `deadline of ${this.#limits.deadlineMs} ms exceeded`);
    if (error instanceof SandboxCallError) {
      if (/out of memory/i.test(error.info.message)) return this.#fault('memory', `memory cap of ${this.#limits.memoryMb} MiB reached`);
      return error;
    }
    // Anything else came from the WebAssembly module itself (an abort, a trap, a native stack
    // overflow): its state can no longer be trusted.
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return this.#fault(/memory|OOM/i.test(message) ? 'memory' : 'crash', message);
  }

  #fault(kind: FaultKind, message: string): SandboxFault {
    const fault = new SandboxFault(kind, message);
    if (!this.#dead) {
      const calls = [...this.#calls];
      this.drop();
      for (const id of calls)
        this.#post({ type: 'reply', id, ok: false, error: { name: 'SandboxFault', message: `plugin stopped: ${message}`, stack: '' } });
      this.#post({ type: 'fault', instance: this.id, kind, message });
    }
    return fault;
  }

  #unwrap(result: { error?: QuickJSHandle; value?: QuickJSHandle }): QuickJSHandle {
    if (result.error) {
      const info = this.#dumpError(result.error);
      result.error.dispose();
      throw new SandboxCallError(info);
    }
    return result.value as QuickJSHandle;
  }

  #dumpError(handle: QuickJSHandle): SandboxErrorInfo {
    const dumped: unknown = this.#context.dump(handle);
    const text = (v: unknown, fallback: string): string => (typeof v === 'string' ? v : v === undefined ? fallback : JSON.stringify(v));
    if (typeof dumped === 'object' && dumped !== null) {
      const e = dumped as { name?: unknown; message?: unknown; stack?: unknown };
      return { name: text(e.name, 'Error'), message: text(e.message, ''), stack: text(e.stack, '') };
    }
    return { name: 'Error', message: text(dumped, 'undefined'), stack: '' };
  }

  /** The one host function the shim holds. Returns a refusal message, or undefined. */
  #bridge(op: string, payload: string): string | undefined {
    const oversized = payload.length > this.#limits.maxCallBytes;
    switch (op) {
      case 'api':
        return oversized ? `payload of ${payload.length} bytes exceeds the limit of ${this.#limits.maxCallBytes}` : this.#apiCall(payload);
      case 'done':
        // After an interrupt the fault answers the pending calls; the shim's own report is stale.
        if (!this.#interrupted) this.#finishCall(payload, oversized);
        return undefined;
      case 'log':
        if (!oversized) this.#log(payload);
        return undefined;
      case 'timer':
        return this.#addTimer(payload);
      case 'clear': {
        const id = Number(payload);
        clearTimeout(this.#timers.get(id));
        this.#timers.delete(id);
        return undefined;
      }
      default:
        return `unknown bridge operation ${op}`;
    }
  }

  #apiCall(payload: string): string | undefined {
    if (this.#inFlight >= MAX_IN_FLIGHT) return `too many API calls in flight (${MAX_IN_FLIGHT})`;
    if (!this.#callRate.take()) return `rate limit of ${this.#limits.maxCallsPerSecond} API calls per second exceeded`;
    const { id, op, args } = JSON.parse(payload) as { id: number; op: string; args: Json[] };
    this.#inFlight++;
    this.#post({ type: 'api', instance: this.id, callId: id, op, args: Array.isArray(args) ? args : [] });
    return undefined;
  }

  #finishCall(payload: string, oversized: boolean): void {
    if (oversized) {
      // Too large to forward: the id is all we need, and the shim writes it first.
      const match = /^\{"id":(\d+)/.exec(payload);
      const id = match ? Number(match[1]) : -1;
      if (this.#calls.delete(id)) {
        this.#post({
          type: 'reply',
          id,
          ok: false,
          error: { name: 'RangeError', message: `result exceeds the limit of ${this.#limits.maxCallBytes} bytes`, stack: '' },
        });
      }
      return;
    }
    const done = JSON.parse(payload) as { id: number; ok: boolean; value?: Json; error?: SandboxErrorInfo };
    if (!done.ok && done.error && /out of memory/i.test(done.error.message)) {
      // The handler hit the memory cap: a fault, not a plugin error (the fault answers the call).
      this.#pendingFault = { kind: 'memory', message: `memory cap of ${this.#limits.memoryMb} MiB reached` };
      return;
    }
    if (!this.#calls.delete(done.id)) return;
    if (done.ok) this.#post({ type: 'reply', id: done.id, ok: true, value: done.value ?? null });
    else this.#post({ type: 'reply', id: done.id, ok: false, error: done.error ?? { name: 'Error', message: 'unknown error', stack: '' } });
  }

  #log(payload: string): void {
    if (!this.#logRate.take()) {
      this.#logsDropped++;
      return;
    }
    const line = JSON.parse(payload) as { level: LogLevel; message: string; fields?: Json; error?: SandboxErrorInfo };
    const level: LogLevel = ['debug', 'info', 'warn', 'error'].includes(line.level) ? line.level : 'info';
    const message = this.#logsDropped > 0 ? `${line.message} (${this.#logsDropped} earlier lines dropped: rate limit)` : line.message;
    this.#logsDropped = 0;
    const out: FromWorker = { type: 'log', instance: this.id, level, message: message.slice(0, 4096) };
    if (typeof line.fields === 'object' && line.fields !== null && !Array.isArray(line.fields)) out.fields = line.fields;
    if (line.error) out.error = line.error;
    this.#post(out);
  }

  #addTimer(payload: string): string | undefined {
    if (this.#timers.size >= MAX_TIMERS) return `too many timers (${MAX_TIMERS})`;
    const { id, ms, repeat } = JSON.parse(payload) as { id: number; ms: number; repeat: boolean };
    const delay = Math.min(2 ** 31 - 1, Math.max(repeat ? MIN_INTERVAL_MS : 0, ms));
    const fire = (): void => {
      if (!repeat) this.#timers.delete(id);
      this.#fire(id);
    };
    this.#timers.set(id, repeat ? setInterval(fire, delay) : setTimeout(fire, delay));
    return undefined;
  }

  #fire(id: number): void {
    if (this.#dead || !this.#internals) return;
    const internals = this.#internals;
    this.#contained(() => {
      const handle = this.#context.newNumber(id);
      try {
        this.#unwrap(this.#context.callFunction(internals.fire, internals.self, handle)).dispose();
      } finally {
        handle.dispose();
      }
    });
  }

  /** An entry whose plain errors are only logged (faults were reported by #enter). */
  #contained(work: () => void): void {
    try {
      this.#enter(work);
    } catch (error) {
      if (error instanceof SandboxCallError)
        this.#post({ type: 'log', instance: this.id, level: 'error', message: 'uncaught error in plugin', error: error.info });
      else if (!(error instanceof SandboxFault)) throw error;
    }
  }
}

/** A plugin-level error thrown while entering the sandbox (not a fault). */
export class SandboxCallError extends Error {
  override name = 'SandboxCallError';
  readonly info: SandboxErrorInfo;

  constructor(info: SandboxErrorInfo) {
    super(`${info.name}: ${info.message}`);
    this.info = info;
  }
}
